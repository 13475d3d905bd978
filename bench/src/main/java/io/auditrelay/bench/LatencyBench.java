package io.auditrelay.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.auditrelay.mapper.Json;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;

/**
 * 5. Steady-state latency: the relay is started and idle (its Conduktor source on an empty topic, sinks kafka and
 * webhook), then Conduktor CloudEvents are produced in real time at a fixed rate (not preloaded). For every event:
 * the time from its send by the producer (the wall clock, also its record timestamp) to its delivery, i.e. when the
 * bench's consumer of the output topic received it, and when the bench's webhook receiver got the POST holding it
 * (joined by event id). p50/p99/max per sink.
 */
final class LatencyBench {

    private final Path root;
    private final Path dir;
    private final String brokers;
    private final Results results;
    private final int rate;
    private final int seconds;

    /** Seconds of events at the same rate before the measured ones: the JIT compiles the path (not measured, reported). */
    private final int warmSeconds;

    LatencyBench(Path root, Path dir, String brokers, Results results, int rate, int seconds, int warmSeconds) {
        this.warmSeconds = warmSeconds;
        this.root = root;
        this.dir = dir;
        this.brokers = brokers;
        this.results = results;
        this.rate = rate;
        this.seconds = seconds;
    }

    boolean run() throws Exception {
        RelayProcess.deleteTree(dir);
        String run = Long.toString(System.currentTimeMillis(), 36);
        String in = "lat-in-" + run;
        String out = "lat-out-" + run;
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, brokers))) {
            admin.createTopics(List.of(new NewTopic(in, 1, (short) 1), new NewTopic(out, 1, (short) 1))).all().get();
        }
        int warm = rate * warmSeconds; // warm-up events first, until the relay is warm and delivering
        int n = warm + rate * seconds;
        long offset = 50_000_000L; // indexes of this section, apart from section 3's
        AtomicLongArray sent = new AtomicLongArray(n);
        AtomicLongArray kafkaAt = new AtomicLongArray(n);
        AtomicLongArray hookAt = new AtomicLongArray(n);
        AtomicLong hookPosts = new AtomicLong();
        AtomicLong kafkaCount = new AtomicLong();
        AtomicLong hookCount = new AtomicLong();

        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 200);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        server.setExecutor(pool);
        server.createContext("/hook", exchange -> {
            byte[] body;
            try (InputStream bodyIn = exchange.getRequestBody()) {
                body = bodyIn.readAllBytes();
            }
            long now = System.currentTimeMillis();
            JsonNode node = Json.MAPPER.readTree(body);
            hookPosts.incrementAndGet();
            for (JsonNode e : node.isArray() ? node : List.of(node)) {
                int i = index(e.path("id").asText(), offset, n);
                if (i >= 0 && hookAt.compareAndSet(i, 0, now)) {
                    hookCount.incrementAndGet();
                }
            }
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        server.start();
        String hookUrl = "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";

        Path work = dir.resolve("relay");
        Map<String, String> props = new HashMap<>(Map.ofEntries(
                Map.entry("relay.once", "false"),
                Map.entry("relay.inbox.enabled", "false"),
                Map.entry("relay.inbox.dir", work.resolve("inbox").toString()),
                Map.entry("relay.state.dir", work.resolve("state").toString()),
                Map.entry("relay.dlq.dir", work.resolve("dlq").toString()),
                Map.entry("relay.source.conduktor.enabled", "true"),
                Map.entry("relay.source.conduktor.brokers", brokers),
                Map.entry("relay.source.conduktor.topic", in),
                Map.entry("relay.source.conduktor.group-id", "lat-relay-" + run),
                Map.entry("relay.sinks", "kafka,webhook"),
                Map.entry("relay.sink.kafka.brokers", brokers),
                Map.entry("relay.sink.kafka.topic", out),
                Map.entry("relay.sink.webhook.url", hookUrl),
                // one POST per event (batch-size 1, the default) is one HTTP round trip after the other: at 5,000 events/s
                // that does not keep up (bench/README.md); an alerting receiver takes JSON arrays of up to 100 events
                Map.entry("relay.sink.webhook.batch-size", "100"),
                Map.entry("relay.sink.webhook.secret", "whsec_" + java.util.Base64.getEncoder().encodeToString(new byte[24]))));
        // BENCH_LATENCY_PROPS="k=v,k=v": try other settings without a rebuild
        String extra = System.getenv("BENCH_LATENCY_PROPS");
        if (extra != null && !extra.isBlank()) {
            for (String kv : extra.split(",")) {
                String[] p = kv.split("=", 2);
                props.put(p[0].trim(), p[1].trim());
            }
        }
        boolean withHook = props.get("relay.sinks").contains("webhook");
        boolean withKafka = props.get("relay.sinks").contains("kafka");
        AtomicBoolean stop = new AtomicBoolean();
        Thread reader = new Thread(() -> {
            try (KafkaConsumer<String, String> c = consumer("lat-probe-" + run)) {
                c.subscribe(List.of(out));
                while (!stop.get()) {
                    for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(50))) {
                        long now = System.currentTimeMillis();
                        int i = index(r.key(), offset, n);
                        if (i >= 0 && kafkaAt.compareAndSet(i, 0, now)) {
                            kafkaCount.incrementAndGet();
                        }
                    }
                }
            }
        }, "lat-probe");
        reader.start();
        double rss;
        long dlq;
        boolean warmedUp;
        long[] kafka;
        long[] hook;
        try (RelayProcess relay = new RelayProcess(root, work, props, CsvBench.jfrArgs(work));
             KafkaProducer<String, String> producer = producer()) {
            // one event until it came out (the relay started and joined its group), then the warm-up at the same rate
            // in real time until the relay delivered it all (the JIT compiles the path)
            long warmDeadline = System.nanoTime() + 120_000_000_000L;
            produce(producer, in, 0, 1, offset, sent);
            while (System.nanoTime() < warmDeadline && relay.isAlive()
                    && ((withKafka && kafkaCount.get() < 1) || (withHook && hookCount.get() < 1))) {
                Thread.sleep(20);
            }
            produce(producer, in, 1, warm, offset, sent);
            while (System.nanoTime() < warmDeadline && relay.isAlive() && ((withKafka && kafkaCount.get() < warm) || (withHook && hookCount.get() < warm))) {
                Thread.sleep(50);
            }
            warmedUp = (!withKafka || kafkaCount.get() >= warm) && (!withHook || hookCount.get() >= warm);
            System.out.printf("latency: warm-up %,d events delivered (kafka %,d, webhook %,d) at %.1fs%n", warm,
                    kafkaCount.get(), hookCount.get(), relay.elapsedSeconds());
            Thread.sleep(1000);
            // the measured part: rate events/s for seconds, in real time
            long t0 = System.nanoTime();
            produce(producer, in, warm, n, offset, sent);
            double produceSec = (System.nanoTime() - t0) / 1e9;
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (System.nanoTime() < deadline && relay.isAlive() && ((withKafka && kafkaCount.get() < n) || (withHook && hookCount.get() < n))) {
                Thread.sleep(50);
            }
            rss = relay.peakRssMb();
            relay.stop();
            dlq = RelayProcess.deadLetters(work.resolve("dlq"));
            System.out.printf("latency: offered %,d events at %,d/s in %.2fs; delivered kafka %,d, webhook %,d (%,d POSTs); log %s%n",
                    n - warm, rate, produceSec, kafkaCount.get() - warm, hookCount.get() - warm, hookPosts.get(), relay.log());
            if (withKafka) {
                timeline("kafka", sent, kafkaAt, warm, n);
            }
            if (withHook) {
                timeline("webhook", sent, hookAt, warm, n);
            }
            long[] warmKafka = stats(sent, kafkaAt, 0, warm);
            long[] warmHook = stats(sent, hookAt, 0, warm);
            System.out.printf("latency: warm-up (%d s at %,d/s, not in the results) p50/p99/max ms: kafka %d/%d/%d, webhook %d/%d/%d%n",
                    warmSeconds, rate, warmKafka[1], warmKafka[2], warmKafka[3], warmHook[1], warmHook[2], warmHook[3]);
            results.json.put("latency_warmup_p99_ms", Math.max(withKafka ? warmKafka[2] : 0, withHook ? warmHook[2] : 0));
            kafka = stats(sent, kafkaAt, warm, n);
            hook = stats(sent, hookAt, warm, n);
        } finally {
            stop.set(true);
            reader.join(10_000);
            server.stop(0);
            pool.shutdownNow();
        }
        int measured = n - warm;
        var node = results.json.putObject("latency");
        node.put("rate_events_per_s", rate);
        node.put("seconds", seconds);
        node.put("events", measured);
        node.put("kafka_delivered", kafka[0]);
        node.put("kafka_p50_ms", kafka[1]);
        node.put("kafka_p99_ms", kafka[2]);
        node.put("kafka_max_ms", kafka[3]);
        node.put("webhook_delivered", hook[0]);
        node.put("webhook_p50_ms", hook[1]);
        node.put("webhook_p99_ms", hook[2]);
        node.put("webhook_max_ms", hook[3]);
        node.put("relay_peak_rss_mb", Math.round(rss));
        node.put("relay_dead_letters", dlq);
        node.put("warmed_up", warmedUp);
        results.json.put("latency_p99_ms", Math.max(withKafka ? kafka[2] : 0, withHook ? hook[2] : 0));
        String what = rate + " events/s for " + seconds + " s, produce -> delivery, p50 / p99 / max ms";
        results.row("5 latency", "Kafka -> relay -> Kafka, " + what, kafka[1] + " / " + kafka[2] + " / " + kafka[3],
                kafka[0] + " of " + measured + " delivered");
        results.row("5 latency", "Kafka -> relay -> webhook, " + what, hook[1] + " / " + hook[2] + " / " + hook[3],
                hook[0] + " of " + measured + " delivered; " + dlq + " dead letters; target p99 <= 250 ms");
        boolean ok = (!withKafka || kafka[0] == measured) && (!withHook || hook[0] == measured);
        if (!ok) {
            System.err.printf("latency: COUNT MISMATCH offered=%d kafka=%d webhook=%d%n", measured, kafka[0], hook[0]);
        }
        return ok;
    }

    /** Sends events [from, to) at {@code rate}/s in real time, each stamped with its send time. */
    private void produce(KafkaProducer<String, String> producer, String topic, int from, int to, long offset,
                         AtomicLongArray sent) {
        long t0 = System.nanoTime();
        long nanosPer = 1_000_000_000L / rate;
        for (int i = from; i < to; i++) {
            long due = t0 + (i - from) * nanosPer;
            long wait = due - System.nanoTime();
            if (wait > 200_000) {
                LockSupport.parkNanos(wait);
            }
            long now = System.currentTimeMillis();
            sent.set(i, now);
            producer.send(new ProducerRecord<>(topic, null, now, Data.conduktorId(offset + i),
                    Data.conduktorJson(offset + i, KafkaBench.RECORD_SIZE)));
        }
        producer.flush();
    }

    /** Prints, per second of sending, the largest latency and how many were not delivered: where the stalls are. */
    private void timeline(String sink, AtomicLongArray sent, AtomicLongArray at, int from, int to) {
        StringBuilder line = new StringBuilder("latency: " + sink + " max ms per second sent:");
        for (int s = from; s < to; s += rate) {
            long max = 0;
            int missing = 0;
            for (int i = s; i < Math.min(to, s + rate); i++) {
                if (at.get(i) == 0) {
                    missing++;
                } else {
                    max = Math.max(max, at.get(i) - sent.get(i));
                }
            }
            line.append(' ').append(max).append(missing > 0 ? "(" + missing + " missing)" : "");
        }
        System.out.println(line);
    }

    /** {delivered, p50, p99, max} in ms over events [from, to). */
    private static long[] stats(AtomicLongArray sent, AtomicLongArray at, int from, int to) {
        long[] lat = new long[to - from];
        int k = 0;
        for (int i = from; i < to; i++) {
            if (at.get(i) != 0) {
                lat[k++] = at.get(i) - sent.get(i);
            }
        }
        Arrays.sort(lat, 0, k);
        if (k == 0) {
            return new long[] {0, -1, -1, -1};
        }
        return new long[] {k, lat[(int) (k * 0.50)], lat[Math.min(k - 1, (int) (k * 0.99))], lat[k - 1]};
    }

    private static int index(String id, long offset, int n) {
        if (id == null || id.lastIndexOf('-') < 0) {
            return -1;
        }
        try {
            long i = Long.parseLong(id.substring(id.lastIndexOf('-') + 1)) - offset;
            return i >= 0 && i < n ? (int) i : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private KafkaProducer<String, String> producer() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, brokers);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        return new KafkaProducer<>(p);
    }

    private KafkaConsumer<String, String> consumer(String group) {
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, brokers);
        c.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        return new KafkaConsumer<>(c);
    }
}
