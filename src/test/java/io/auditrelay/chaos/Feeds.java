package io.auditrelay.chaos;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.auditrelay.source.cockroachdb.FakeCockroachCloud;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.pulsar.client.api.Producer;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Future;
import java.util.function.Function;

/**
 * Feeds every source at a steady rate from one thread: the file inbox (a file every few ticks, in turn Airkit NDJSON,
 * Airkit CSV, Conduktor JSON lines, a CockroachDB API document), the CockroachDB API stand-in, the Conduktor Kafka topic,
 * the Astra Pulsar topic and the Airkit bucket. A source whose server is down is held ({@link #hold}) so nothing is
 * fed that its server never took; every record fed is in {@link Inputs#expected()}.
 */
final class Feeds implements AutoCloseable {

    static final String DAY = "2024-06-01";

    private final Inputs inputs;
    private final Path inbox;
    private final FakeCockroachCloud cockroach;
    private final KafkaProducer<String, String> kafka;
    private final String kafkaTopic;
    private final Producer<String> pulsar;
    private final S3Client s3;
    private final String bucket;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile String cockroachDay = DAY;
    private long tick;
    private long files;
    private volatile boolean kafkaHeld;
    private volatile boolean pulsarHeld;
    private volatile boolean s3Held;
    private volatile Throwable failure;

    Feeds(Inputs inputs, Path inbox, FakeCockroachCloud cockroach, KafkaProducer<String, String> kafka, String kafkaTopic,
          Producer<String> pulsar, S3Client s3, String bucket) {
        this.inputs = inputs;
        this.inbox = inbox;
        this.cockroach = cockroach;
        this.kafka = kafka;
        this.kafkaTopic = kafkaTopic;
        this.pulsar = pulsar;
        this.s3 = s3;
        this.bucket = bucket;
        this.thread = new Thread(this::run, "chaos-feeds");
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** The source fed by a server about to go down is held; it is fed again after {@link #resume}. */
    synchronized void hold(String server) {
        set(server, true);
    }

    synchronized void resume(String server) {
        set(server, false);
    }

    private void set(String server, boolean held) {
        switch (server) {
            case "kafka" -> kafkaHeld = held;
            case "pulsar" -> pulsarHeld = held;
            case "s3" -> s3Held = held;
            default -> { }
        }
    }

    /**
     * Adds {@code n} API entries of {@code day} at once, and feeds the later ones on {@code thenDay} (days only go
     * forward: the API is read in time order, from a cursor).
     */
    synchronized void cockroachBurst(String day, int n, String thenDay) {
        List<ObjectNode> entries = batch(n, v -> inputs.cockroachDb(day));
        entries.forEach(e -> cockroach.addRaw(e.get("created_at").asText(), e));
        entries.forEach(e -> inputs.expect("cockroachdb", e));
        cockroachDay = thenDay;
    }

    /** Sends {@code n} Conduktor events of {@code day} to the topic at once. */
    synchronized void kafkaBurst(String day, int n) throws Exception {
        sendKafka(batch(n, v -> inputs.conduktor(day)));
    }

    /** Puts one object of {@code n} Airkit rows of {@code day} into the bucket. */
    synchronized void objectBurst(String day, int n) {
        putObject(batch(n, v -> inputs.airkit(day)));
    }

    /** Stops feeding and waits for the tick in progress; throws what a tick failed with. */
    void stop() throws InterruptedException {
        running = false;
        thread.join(30_000);
        if (failure != null) {
            throw new AssertionError("feeding failed", failure);
        }
    }

    private void run() {
        try {
            while (running) {
                synchronized (this) {
                    tick();
                }
                Thread.sleep(500);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Throwable e) {
            failure = e;
        }
    }

    private void tick() throws Exception {
        tick++;
        List<ObjectNode> entries = batch(20, v -> inputs.cockroachDb(cockroachDay));
        entries.forEach(e -> cockroach.addRaw(e.get("created_at").asText(), e));
        entries.forEach(e -> inputs.expect("cockroachdb", e));
        if (!kafkaHeld) {
            sendKafka(batch(20, v -> inputs.conduktor(DAY)));
        }
        if (!pulsarHeld) {
            sendPulsar(batch(5, v -> inputs.astra(DAY)));
        }
        if (tick % 4 == 0) {
            dropFile();
        }
        if (tick % 4 == 2 && !s3Held) {
            putObject(batch(50, v -> inputs.airkit(DAY)));
        }
    }

    private static List<ObjectNode> batch(int n, Function<Integer, ObjectNode> make) {
        List<ObjectNode> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(make.apply(i));
        }
        return out;
    }

    private void sendKafka(List<ObjectNode> events) throws Exception {
        List<Future<?>> sent = new ArrayList<>();
        for (ObjectNode event : events) {
            sent.add(kafka.send(new ProducerRecord<>(kafkaTopic, Inputs.json(event))));
        }
        for (Future<?> f : sent) {
            f.get();
        }
        events.forEach(e -> inputs.expect("conduktor", e));
    }

    private void sendPulsar(List<ObjectNode> messages) throws Exception {
        for (ObjectNode message : messages) {
            pulsar.send(Inputs.json(message));
            inputs.expect("astra", message);
        }
    }

    private void putObject(List<ObjectNode> rows) {
        String key = "logs/airkit-audit-" + System.nanoTime() + ".csv";
        s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromString(Inputs.airkitCsv(rows), StandardCharsets.UTF_8));
        rows.forEach(r -> inputs.expect("airkit", r));
    }

    private void dropFile() throws IOException {
        long n = files++;
        switch ((int) (n % 4)) {
            case 0 -> {
                List<ObjectNode> rows = batch(100, v -> inputs.airkit(DAY));
                drop("airkit", "airkit-audit-" + n + ".ndjson", Inputs.jsonLines(rows));
                rows.forEach(r -> inputs.expect("airkit", r));
            }
            case 1 -> {
                List<ObjectNode> rows = batch(100, v -> inputs.airkit(DAY));
                drop("airkit", "airkit-audit-" + n + ".csv", Inputs.airkitCsv(rows));
                rows.forEach(r -> inputs.expect("airkit", r));
            }
            case 2 -> {
                List<ObjectNode> events = batch(100, v -> inputs.conduktor(DAY));
                drop("conduktor", "conduktor-audit-" + n + ".jsonl", Inputs.jsonLines(events));
                events.forEach(e -> inputs.expect("conduktor", e));
            }
            default -> {
                // an export of the API: its own days, before anything the API stand-in serves
                List<ObjectNode> entries = batch(100, v -> inputs.cockroachDb("2024-05-01"));
                drop("cockroachdb", "auditlogevents-" + n + ".json", Inputs.entriesDocument(entries));
                entries.forEach(e -> inputs.expect("cockroachdb", e));
            }
        }
    }

    /** Writes a file into a vendor's inbox under a hidden name and renames it, so it is never read half-written. */
    void drop(String vendor, String name, String content) throws IOException {
        Path folder = inbox.resolve(vendor);
        Files.createDirectories(folder);
        Path tmp = folder.resolve("." + name + ".tmp");
        Files.writeString(tmp, content, StandardCharsets.UTF_8);
        Files.move(tmp, folder.resolve(name), StandardCopyOption.ATOMIC_MOVE);
    }

    @Override
    public void close() throws Exception {
        running = false;
        thread.join(30_000);
    }
}
