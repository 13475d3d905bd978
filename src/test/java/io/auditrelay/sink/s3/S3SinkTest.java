package io.auditrelay.sink.s3;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import io.auditrelay.aws.S3Access;
import io.auditrelay.event.Activity;
import io.auditrelay.event.AuditEvent;
import io.auditrelay.event.Outcome;
import io.auditrelay.mapper.Json;
import io.auditrelay.spine.DeadLetterStore;
import io.auditrelay.spine.RelayStats;
import io.auditrelay.testing.Output;
import io.auditrelay.testing.RelayRunner;
import io.auditrelay.testing.S3ProxyServer;
import io.auditrelay.testing.TcpProxy;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The S3 sink against a real S3 server (S3Proxy): batching across units in the spool, keys, content, retries, dead
 * letters, the interval, shutdown and crash recovery.
 */
class S3SinkTest {

    private static S3ProxyServer s3;
    private static S3Client client;

    @TempDir
    Path dir;

    private final List<S3Sink> sinks = new ArrayList<>();

    @BeforeAll
    static void server() {
        s3 = S3ProxyServer.shared();
        client = access(s3.httpUrl()).client();
    }

    @AfterAll
    static void close() {
        client.close();
    }

    @AfterEach
    void stopSinks() {
        sinks.forEach(S3Sink::stop);
    }

    private static S3Access access(String endpoint) {
        return new S3Access("us-east-1", endpoint, S3ProxyServer.ACCESS_KEY, S3ProxyServer.SECRET_KEY);
    }

    private static String bucket() {
        String bucket = "sink-" + System.nanoTime();
        client.createBucket(b -> b.bucket(bucket));
        return bucket;
    }

    private S3Sink sink(String endpoint, String bucket, int batchSize, Duration interval, int maxRetries,
                        Duration retryDelay) {
        return sink(endpoint, bucket, batchSize, interval, maxRetries, retryDelay, dir.resolve("spool"));
    }

    private S3Sink sink(String endpoint, String bucket, int batchSize, Duration interval, int maxRetries,
                        Duration retryDelay, Path spool) {
        S3Sink sink = new S3Sink(new S3Sink.Options(bucket, "audit", batchSize, 64L << 20, interval, maxRetries, retryDelay,
                spool), access(endpoint)::client, new NdjsonGzipFormat(), deadLetters());
        sink.start();
        sinks.add(sink);
        return sink;
    }

    /** The batch files in a sink's spool directory. */
    static List<String> spoolFiles(Path spool) throws IOException {
        try (Stream<Path> files = Files.list(spool)) {
            return files.map(f -> f.getFileName().toString()).filter(n -> !n.equals("spool.lock")).sorted().toList();
        }
    }

    /** Waits until the bucket holds this many objects. */
    static List<String> awaitKeys(S3Client client, String bucket, int count, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<String> keys = keys(client, bucket);
        while (keys.size() < count && System.nanoTime() < deadline) {
            Thread.sleep(100);
            keys = keys(client, bucket);
        }
        return keys;
    }

    /**
     * The events of an object just listed. S3Proxy's in-memory backend can list a new key a moment before it serves
     * it (jclouds' TransientStorageStrategy.putBlob stores the blob, then its access entry): a GET in between is a
     * 404, so it is tried again for up to 30 s (a loaded machine widens the gap). The sink never deletes an object.
     */
    static List<JsonNode> awaitEvents(S3Client client, String bucket, String key) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try {
                return events(client, bucket, key);
            } catch (NoSuchKeyException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(50);
            }
        }
    }

    static List<String> ids(S3Client client, String bucket, List<String> keys) {
        return keys.stream().flatMap(k -> events(client, bucket, k).stream()).map(e -> e.get("id").asText()).toList();
    }

    private DeadLetterStore deadLetters() {
        return new DeadLetterStore(dir.resolve("dlq"), Clock.systemUTC(), new RelayStats(java.time.Clock.systemUTC()));
    }

    static AuditEvent event(String id, String time) {
        return new AuditEvent("airkit:" + id, time, "2024-06-02T00:00:00Z", "airkit", "user_login", Activity.values()[0],
                Outcome.values()[0], new AuditEvent.Actor("u-1", "a@example.com"), null, "org-1",
                Json.MAPPER.createObjectNode().put("EVENT_ID", id));
    }

    private static void accept(S3Sink sink, AuditEvent event) throws Exception {
        sink.acceptFrom(event, "test/" + event.id());
    }

    /** The end of a source unit: returns when everything accepted so far is durable in the spool. */
    private static CompletableFuture<Void> flush(S3Sink sink) {
        return CompletableFuture.runAsync(() -> {
            try {
                sink.flush();
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        }, r -> new Thread(r).start());
    }

    static List<String> keys(S3Client client, String bucket) {
        return S3ProxyServer.keys(client, bucket);
    }

    /** The canonical events of one object, decompressed. */
    static List<JsonNode> events(S3Client client, String bucket, String key) {
        byte[] bytes = client.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asByteArray();
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            List<JsonNode> out = new ArrayList<>();
            for (String line : text.split("\n")) {
                out.add(Json.MAPPER.readTree(line));
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String sha256(List<String> ids) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        ids.stream().sorted().forEach(id -> sha.update((id + "\n").getBytes(StandardCharsets.UTF_8)));
        return HexFormat.of().formatHex(sha.digest());
    }

    @Test
    @Timeout(60)
    void events_become_batches_of_gzipped_ndjson_under_hive_partitioned_content_named_keys() throws Exception {
        String bucket = bucket();
        S3Sink sink = sink(s3.httpUrl(), bucket, 3, Duration.ofMinutes(5), 3, Duration.ofMillis(50));
        for (int i = 1; i <= 6; i++) {
            accept(sink, event("a" + i, "2024-06-01T10:0" + i + ":00Z"));
        }
        accept(sink, event("b1", "2024-06-01T11:30:00.123456Z"));
        flush(sink).get(30, TimeUnit.SECONDS);
        sink.stop();

        List<String> keys = keys(client, bucket);
        assertThat(keys).hasSize(3);
        String hour10 = "audit/vendor=airkit/dt=2024-06-01/hour=10/";
        assertThat(keys).filteredOn(k -> k.startsWith(hour10)).hasSize(2).allSatisfy(key -> {
            List<String> ids = events(client, bucket, key).stream().map(e -> e.get("id").asText()).toList();
            assertThat(ids).hasSize(3);
            try {
                assertThat(key).isEqualTo(hour10 + sha256(ids) + ".ndjson.gz");
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        assertThat(keys.stream().filter(k -> k.startsWith(hour10)).flatMap(k -> events(client, bucket, k).stream())
                .map(e -> e.get("id").asText())).containsExactlyInAnyOrder(
                "airkit:a1", "airkit:a2", "airkit:a3", "airkit:a4", "airkit:a5", "airkit:a6");
        String hour11 = "audit/vendor=airkit/dt=2024-06-01/hour=11/" + sha256(List.of("airkit:b1")) + ".ndjson.gz";
        assertThat(keys).contains(hour11);
        assertThat(events(client, bucket, hour11)).singleElement()
                .isEqualTo(Json.MAPPER.valueToTree(event("b1", "2024-06-01T11:30:00.123456Z")));

        // the same batch written again (a retry after a crash) lands on the same key: no duplicate object
        S3Sink again = sink(s3.httpUrl(), bucket, 3, Duration.ofMinutes(5), 3, Duration.ofMillis(50));
        accept(again, event("b1", "2024-06-01T11:30:00.123456Z"));
        flush(again).get(30, TimeUnit.SECONDS);
        again.stop();
        assertThat(keys(client, bucket)).isEqualTo(keys);
        assertThat(spoolFiles(dir.resolve("spool/0"))).isEmpty();
    }

    @Test
    @Timeout(60)
    void shutdown_writes_a_partial_batch() throws Exception {
        String bucket = bucket();
        S3Sink sink = sink(s3.httpUrl(), bucket, 10_000, Duration.ofMinutes(10), 3, Duration.ofMillis(50));
        accept(sink, event("p1", "2024-06-01T10:00:00Z"));
        accept(sink, event("p2", "2024-06-01T10:00:01Z"));
        assertThat(keys(client, bucket)).isEmpty();

        sink.stop();

        List<String> keys = keys(client, bucket);
        assertThat(keys).singleElement().satisfies(key -> assertThat(events(client, bucket, key))
                .extracting(e -> e.get("id").asText()).containsExactly("airkit:p1", "airkit:p2"));
    }

    @Test
    @Timeout(90)
    void s3_down_then_up_keeps_the_batch_in_the_spool_and_writes_it_once() throws Exception {
        // S3 is unreachable through a proxy that closes every connection: the server is not stopped, so no port is
        // given up and taken again
        try (TcpProxy front = new TcpProxy(s3.port())) {
            String bucket = bucket();
            front.down();
            S3Sink sink = sink(front.url(), bucket, 1, Duration.ofMinutes(5), 30, Duration.ofMillis(100));

            // the batch is full at once and its write fails; the unit is acknowledged once the event is in the spool
            accept(sink, event("d1", "2024-06-01T10:00:00Z"));
            flush(sink).get(5, TimeUnit.SECONDS);
            RelayRunner.await(Duration.ofSeconds(30), () -> front.refused() >= 2);
            assertThat(spoolFiles(sink.spool())).as("the batch stays in the spool while S3 is down")
                    .anyMatch(f -> f.endsWith(".spool"));
            assertThat(keys(client, bucket)).isEmpty();

            front.up();
            List<String> keys = awaitKeys(client, bucket, 1, Duration.ofSeconds(60));

            assertThat(keys).singleElement().satisfies(key -> assertThat(awaitEvents(client, bucket, key))
                    .extracting(e -> e.get("id").asText()).containsExactly("airkit:d1"));
            Path spool = sink.spool();
            sink.stop();
            assertThat(keys(client, bucket)).isEqualTo(keys);
            assertThat(spoolFiles(spool)).isEmpty();
            assertThat(Output.jsonFile(dir.resolve("dlq/dead-letters.jsonl"))).isEmpty();
        }
    }

    @Test
    @Timeout(60)
    void after_the_retry_budget_the_batch_goes_to_the_dead_letter_store() throws Exception {
        String closed = "http://127.0.0.1:" + S3ProxyServer.freePort();
        S3Sink sink = sink(closed, "nowhere", 10, Duration.ofMinutes(5), 1, Duration.ofMillis(10));
        accept(sink, event("x1", "2024-06-01T10:00:00Z"));
        accept(sink, event("x2", "2024-06-01T10:00:01Z"));
        flush(sink).get(45, TimeUnit.SECONDS);
        Path spool = sink.spool();
        sink.stop();
        assertThat(spoolFiles(spool)).isEmpty();

        List<JsonNode> dead = Output.jsonFile(dir.resolve("dlq/dead-letters.jsonl"));
        assertThat(dead).extracting(d -> d.get("event").get("id").asText()).containsExactlyInAnyOrder("airkit:x1", "airkit:x2");
        assertThat(dead).allSatisfy(d -> {
            assertThat(d.get("sink").asText()).isEqualTo("s3");
            assertThat(d.get("vendor").asText()).isEqualTo("airkit");
            assertThat(d.get("source").asText()).startsWith("test/airkit:x");
            assertThat(d.get("error").asText()).startsWith("could not write s3://nowhere/audit/vendor=airkit/dt=2024-06-01/hour=10/");
        });
    }

    @Test
    @Timeout(90)
    void a_relay_once_run_writes_every_event_to_s3_before_it_exits() {
        String bucket = bucket();
        RelayRunner relay = RelayRunner.inDir(dir)
                .with("relay.sinks", "csv,s3")
                .with("relay.examples.dir", "examples/inbox")
                .with("relay.sink.s3.bucket", bucket)
                .with("relay.sink.s3.prefix", "relay")
                .with("relay.sink.s3.endpoint", s3.httpUrl())
                .with("relay.sink.s3.access-key", s3.accessKey())
                .with("relay.sink.s3.secret-key", s3.secretKey());
        copyExamples(relay.inbox("airkit"));
        relay.runOnce();

        List<String> keys = keys(client, bucket);
        assertThat(keys).allMatch(k -> k.matches("relay/vendor=airkit/dt=2024-06-01/hour=10/[0-9a-f]{64}\\.ndjson\\.gz"));
        List<String> ids = keys.stream().flatMap(k -> events(client, bucket, k).stream()).map(e -> e.get("id").asText()).toList();
        assertThat(ids).containsExactlyInAnyOrder("airkit:evt-0001", "airkit:evt-0002", "airkit:evt-0003", "airkit:evt-0004",
                "airkit:evt-0005", "airkit:evt-0006", "airkit:evt-0007");
        assertThat(keys).as("one object for both input files (two units) of the same hour").hasSize(1);
        assertThat(Output.lines(relay.csvDir()).stream().filter(l -> !l.startsWith("id,"))).hasSize(7);
    }

    @Test
    @Timeout(90)
    void many_small_units_fill_one_object_per_batch_size_and_flush_writes_nothing() throws Exception {
        String bucket = bucket();
        S3Sink sink = sink(s3.httpUrl(), bucket, 1000, Duration.ofMinutes(10), 3, Duration.ofMillis(50));
        List<String> sent = new ArrayList<>();
        for (int unit = 0; unit < 30; unit++) {
            for (int i = 0; i < 100; i++) {
                String id = "u" + unit + "-" + i;
                sent.add("airkit:" + id);
                accept(sink, event(id, "2024-06-01T10:00:00Z"));
            }
            flush(sink).get(10, TimeUnit.SECONDS);
            if (unit < 9) {
                assertThat(keys(client, bucket)).as("after unit %d: nothing written by the flushes", unit).isEmpty();
            }
        }
        sink.stop();

        List<String> keys = keys(client, bucket);
        assertThat(keys).hasSize(3).allSatisfy(key -> assertThat(events(client, bucket, key)).hasSize(1000));
        assertThat(ids(client, bucket, keys)).containsExactlyInAnyOrderElementsOf(sent).doesNotHaveDuplicates();
    }

    @Test
    @Timeout(60)
    void a_batch_is_written_when_it_is_batch_interval_old() throws Exception {
        String bucket = bucket();
        S3Sink sink = sink(s3.httpUrl(), bucket, 10_000, Duration.ofMillis(500), 3, Duration.ofMillis(50));
        accept(sink, event("i1", "2024-06-01T10:00:00Z"));
        accept(sink, event("i2", "2024-06-01T10:00:01Z"));
        flush(sink).get(10, TimeUnit.SECONDS);
        assertThat(keys(client, bucket)).isEmpty();

        List<String> keys = awaitKeys(client, bucket, 1, Duration.ofSeconds(20));
        assertThat(keys).singleElement().satisfies(key -> assertThat(events(client, bucket, key))
                .extracting(e -> e.get("id").asText()).containsExactly("airkit:i1", "airkit:i2"));
        assertThat(sink.isStarted()).isTrue();
    }

    @Test
    @Timeout(120)
    void after_a_crash_the_spool_is_recovered_and_every_event_written_once() throws Exception {
        String bucket = bucket();
        Path spool = dir.resolve("crash-spool");
        // the first relay, a process of its own: S3 unreachable, so its full batches stay in the spool (being retried)
        // when it is killed
        String closed = "http://127.0.0.1:" + S3ProxyServer.freePort();
        List<String> sent = new ArrayList<>();
        List<String> units = new ArrayList<>();
        for (int unit = 0; unit < 5; unit++) {
            List<String> events = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                String id = "c" + unit + "-" + i;
                sent.add("airkit:" + id);
                events.add(id + "@2024-06-01T10:00:00Z");
            }
            units.add(String.join(",", events));
        }
        List<String> args = new ArrayList<>(List.of(bucket, closed, spool.toString(), dir.resolve("dlq").toString(),
                "100", "50", "5000"));
        args.addAll(units);
        S3SinkChild first = S3SinkChild.start(dir.resolve("first.log"), args.toArray(String[]::new));
        Path own = spool.resolve("0");
        first.kill();

        List<String> files = spoolFiles(own);
        assertThat(files).filteredOn(f -> f.endsWith(".spool")).hasSize(3);
        assertThat(files).filteredOn(f -> f.endsWith(".sealed")).hasSize(2);
        String open = files.stream().filter(f -> f.endsWith(".spool"))
                .filter(f -> !files.contains(f.replace(".spool", ".sealed"))).findFirst().orElseThrow();
        // the relay died in the middle of appending an event
        Files.write(own.resolve(open), "[\"airkit:torn\",\"test/torn\"]\t{\"id\":\"airkit:torn\",\"time\":\"2024-06"
                        .getBytes(StandardCharsets.UTF_8),
                StandardOpenOption.APPEND);

        ListAppender<ILoggingEvent> log = new ListAppender<>();
        Logger logger = (Logger) LoggerFactory.getLogger(S3Sink.class);
        log.start();
        logger.addAppender(log);
        try {
            S3Sink second = sink(s3.httpUrl(), bucket, 100, Duration.ofMinutes(10), 3, Duration.ofMillis(50), spool);
            assertThat(second.spool()).isEqualTo(own);
            accept(second, event("after", "2024-06-01T10:00:00Z"));
            sent.add("airkit:after");
            flush(second).get(10, TimeUnit.SECONDS);
            second.stop();
        } finally {
            logger.detachAppender(log);
        }

        List<String> keys = keys(client, bucket);
        assertThat(ids(client, bucket, keys)).containsExactlyInAnyOrderElementsOf(sent).doesNotHaveDuplicates();
        assertThat(keys).allSatisfy(key -> {
            List<String> ids = events(client, bucket, key).stream().map(e -> e.get("id").asText()).toList();
            try {
                assertThat(key).endsWith("/" + sha256(ids) + ".ndjson.gz");
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        assertThat(keys).hasSize(3);
        assertThat(spoolFiles(own)).isEmpty();
        assertThat(log.list).anySatisfy(e -> {
            assertThat(e.getLevel()).isEqualTo(Level.WARN);
            assertThat(e.getFormattedMessage()).contains("torn");
        });
        assertThat(log.list).anySatisfy(e -> {
            assertThat(e.getLevel()).isEqualTo(Level.INFO);
            assertThat(e.getFormattedMessage()).contains("recovered 250 events in 3 batches");
        });
    }

    @Test
    @Timeout(60)
    void relays_sharing_a_spool_dir_use_separate_spools_and_one_left_behind_is_taken_over() throws Exception {
        String bucket = bucket();
        Path spool = dir.resolve("shared-spool");
        S3Sink running = sink(s3.httpUrl(), bucket, 1000, Duration.ofMinutes(10), 3, Duration.ofMillis(50), spool);
        // another relay, a process of its own, takes the next spool, makes two events durable there and is killed
        S3SinkChild other = S3SinkChild.start(dir.resolve("other.log"), bucket, s3.httpUrl(), spool.toString(),
                dir.resolve("dlq").toString(), "1000", "3", "50", "o1@2024-06-01T10:00:00Z,o2@2024-06-01T11:00:00Z");
        assertThat(running.spool()).isEqualTo(spool.resolve("0"));
        assertThat(other.log()).contains(spool.resolve("1").toString());
        accept(running, event("r1", "2024-06-01T10:00:00Z"));
        flush(running).get(10, TimeUnit.SECONDS);
        other.kill();
        running.stop();
        assertThat(ids(client, bucket, keys(client, bucket))).containsExactly("airkit:r1");

        // the next relay takes spool 0 and the batches left in spool 1
        S3Sink next = sink(s3.httpUrl(), bucket, 1000, Duration.ofMinutes(10), 3, Duration.ofMillis(50), spool);
        assertThat(next.spool()).isEqualTo(spool.resolve("0"));
        next.stop();
        assertThat(ids(client, bucket, keys(client, bucket))).containsExactlyInAnyOrder("airkit:r1", "airkit:o1", "airkit:o2");
        assertThat(spoolFiles(spool.resolve("0"))).isEmpty();
        assertThat(spoolFiles(spool.resolve("1"))).isEmpty();
    }

    private static void copyExamples(Path inbox) {
        try {
            java.nio.file.Files.createDirectories(inbox);
            for (String name : List.of("airkit-audit-20240601T1005.csv", "airkit-audit-20240601T1015.ndjson.gz")) {
                java.nio.file.Files.copy(Path.of("examples/inbox/airkit").resolve(name), inbox.resolve(name));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
