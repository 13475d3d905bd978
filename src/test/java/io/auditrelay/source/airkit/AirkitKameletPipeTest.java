package io.auditrelay.source.airkit;

import com.fasterxml.jackson.databind.JsonNode;
import io.auditrelay.event.AuditEvent;
import io.auditrelay.event.OneByOne;
import io.auditrelay.testing.KafkaServer;
import io.auditrelay.testing.Output;
import io.auditrelay.testing.RelayRunner;
import io.auditrelay.testing.S3ProxyServer;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The airkit-audit-source Kamelet as a Pipe runs it (a plain Camel context, no relay beans), against a real S3 server:
 * the unit (one object, streamed) goes through audit-normalize-action (persistent dedupe, dead letters), each event
 * reaches a sink that keeps every copy, and the object is recorded only when all of it went through.
 */
class AirkitKameletPipeTest {

    private static final Path EXAMPLES = Path.of("examples/inbox/airkit");

    private static S3ProxyServer s3;
    private static S3Client client;

    @TempDir
    Path dir;

    @BeforeAll
    static void server() {
        s3 = S3ProxyServer.shared();
        client = S3Client.builder().endpointOverride(s3.endpoint()).forcePathStyle(true).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(s3.accessKey(), s3.secretKey())))
                .build();
    }

    @AfterAll
    static void close() {
        client.close();
    }

    private static void put(String bucket, String key, byte[] content) {
        client.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromBytes(content));
    }

    /** The Pipe: source Kamelet, the normalize step per record, a sink that fails while {@code sinkDown} holds for c.ndjson.gz. */
    private CamelContext pipe(String bucket, Path state, Path dlq, List<String> units, List<String> delivered, boolean sinkDown)
            throws Exception {
        CamelContext context = new DefaultCamelContext();
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("kamelet:airkit-audit-source?bucketName=" + bucket + "&prefix=logs/&overrideEndpoint=true"
                        + "&uriEndpointOverride=" + s3.httpUrl() + "&forcePathStyle=true&accessKey=" + s3.accessKey()
                        + "&secretKey=" + s3.secretKey() + "&pollInterval=200&maxObjectsPerPoll=1"
                        + "&stateDir=" + state + "&dlqDir=" + dlq)
                        .process(e -> units.add(e.getMessage().getHeader("relayLocation", String.class)))
                        .to("kamelet:audit-normalize-action?vendor=airkit&stateDir=" + state + "&dlqDir=" + dlq)
                        // a sink that keeps every copy it gets, one event at a time
                        .process(e -> {
                            String location = e.getMessage().getHeader("relayLocation", String.class);
                            Iterator<?> events = OneByOne.of(e.getMessage().getBody());
                            while (events.hasNext()) {
                                AuditEvent event = (AuditEvent) events.next();
                                if (sinkDown && location.endsWith("/logs/c.ndjson.gz")) {
                                    throw new IllegalStateException("sink down");
                                }
                                delivered.add(event.id());
                            }
                        });
            }
        });
        context.start();
        return context;
    }

    private static AirkitEndpoint endpoint(CamelContext context) {
        return context.getEndpoints().stream().filter(AirkitEndpoint.class::isInstance).map(AirkitEndpoint.class::cast)
                .findFirst().orElseThrow();
    }

    @Test
    @Timeout(90)
    void the_kamelet_input_limits_reach_the_reader_a_record_over_them_is_dead_lettered_and_the_next_one_flows() throws Exception {
        String bucket = "limits-" + System.nanoTime();
        client.createBucket(b -> b.bucket(bucket));
        put(bucket, "logs/long.ndjson", ("""
                {"ORGANIZATION_ID":"org-1","EVENT_ID":"evt-0200","EVENT_TIME":"2024-06-01 10:20:00.000","EVENT_TYPE":"user_login","PAD":"%s"}
                {"ORGANIZATION_ID":"org-1","EVENT_ID":"evt-0201","EVENT_TIME":"2024-06-01 10:21:00.000","EVENT_TYPE":"user_logout"}
                """.formatted("x".repeat(400))).getBytes(StandardCharsets.UTF_8));
        Path state = dir.resolve("state-limits");
        Path dlq = dir.resolve("dlq-limits");
        List<String> delivered = new CopyOnWriteArrayList<>();
        try (CamelContext context = new DefaultCamelContext()) {
            context.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from("kamelet:airkit-audit-source?bucketName=" + bucket + "&prefix=logs/&overrideEndpoint=true"
                            + "&uriEndpointOverride=" + s3.httpUrl() + "&forcePathStyle=true&accessKey=" + s3.accessKey()
                            + "&secretKey=" + s3.secretKey() + "&pollInterval=200&stateDir=" + state + "&dlqDir=" + dlq
                            + "&maxRecordBytes=300&maxNestingDepth=8")
                            .to("kamelet:audit-normalize-action?vendor=airkit&stateDir=" + state + "&dlqDir=" + dlq)
                            .process(e -> OneByOne.of(e.getMessage().getBody())
                                    .forEachRemaining(event -> delivered.add(((AuditEvent) event).id())));
                }
            });
            context.start();
            assertThat(endpoint(context).getInputLimits().getMaxRecordBytes()).isEqualTo(300L);
            assertThat(endpoint(context).getInputLimits().getMaxNestingDepth()).isEqualTo(8);

            Path store = dlq.resolve("dead-letters.jsonl");
            RelayRunner.await(Duration.ofSeconds(60), () -> delivered.contains("airkit:evt-0201") && Files.exists(store));
            assertThat(delivered).containsExactly("airkit:evt-0201");
            assertThat(Output.jsonFile(store)).extracting(d -> d.get("source").asText()).containsExactly("logs/long.ndjson:1");
        }
    }

    @Test
    @Timeout(180)
    void every_event_once_across_polls_a_failing_sink_and_a_restart() throws Exception {
        String bucket = "pipe-" + System.nanoTime();
        client.createBucket(b -> b.bucket(bucket));
        put(bucket, "logs/a.csv", Files.readAllBytes(EXAMPLES.resolve("airkit-audit-20240601T1005.csv")));
        put(bucket, "logs/airkit-verify-test-1717236000", "verify".getBytes(StandardCharsets.UTF_8));
        put(bucket, "logs/b.ndjson", ("""
                {"ORGANIZATION_ID":"org-1","EVENT_ID":"evt-0100","EVENT_TIME":"2024-06-01 10:20:00.000","EVENT_TYPE":"user_login"}
                {"ORGANIZATION_ID":"org-1","EVENT_ID":"evt-0101","EVENT_TIME":
                {"ORGANIZATION_ID":"org-1","EVENT_ID":"evt-0102","EVENT_TIME":"2024-06-01 10:21:00.000","EVENT_TYPE":"user_logout"}
                """).getBytes(StandardCharsets.UTF_8));
        put(bucket, "logs/c.ndjson.gz", Files.readAllBytes(EXAMPLES.resolve("airkit-audit-20240601T1015.ndjson.gz")));
        put(bucket, "logs/d.csv.gz", "this is not gzip".getBytes(StandardCharsets.UTF_8));
        // paths with '/' and ':' reach the endpoint intact
        Path state = dir.resolve("state:pipe");
        Path dlq = dir.resolve("dlq:pipe");
        List<String> delivered = new CopyOnWriteArrayList<>();

        // First run: the sink fails for c.ndjson.gz, which is read again after each failure and never recorded
        List<String> firstUnits = new CopyOnWriteArrayList<>();
        try (CamelContext first = pipe(bucket, state, dlq, firstUnits, delivered, true)) {
            RelayRunner.await(Duration.ofSeconds(60), () -> firstUnits.stream().filter(u -> u.endsWith("/logs/c.ndjson.gz")).count() >= 3);
            assertThat(delivered).containsExactlyInAnyOrder("airkit:evt-0001", "airkit:evt-0002", "airkit:evt-0003",
                    "airkit:evt-0004", "airkit:evt-0100", "airkit:evt-0102");
            assertThat(firstUnits).filteredOn(u -> !u.endsWith("/logs/c.ndjson.gz"))
                    .containsExactly("s3://" + bucket + "/logs/a.csv", "s3://" + bucket + "/logs/b.ndjson");
        }
        assertThat(state.resolve("airkit-s3").resolve("dedupe-ids.txt")).exists();

        // Second run, the sink is back: only what was not recorded is read, every event arrives once
        List<String> secondUnits = new CopyOnWriteArrayList<>();
        try (CamelContext second = pipe(bucket, state, dlq, secondUnits, delivered, false)) {
            RelayRunner.await(Duration.ofSeconds(60), () -> delivered.size() >= 9);
            AirkitEndpoint source = endpoint(second);
            long passes = source.passes();
            RelayRunner.await(Duration.ofSeconds(60), () -> source.passes() >= passes + 3);
        }
        assertThat(delivered).containsExactlyInAnyOrder("airkit:evt-0001", "airkit:evt-0002", "airkit:evt-0003",
                "airkit:evt-0004", "airkit:evt-0100", "airkit:evt-0102", "airkit:evt-0005", "airkit:evt-0006", "airkit:evt-0007");
        assertThat(secondUnits).containsExactly("s3://" + bucket + "/logs/c.ndjson.gz");

        List<JsonNode> dead = Output.jsonFile(dlq.resolve("dead-letters.jsonl"));
        assertThat(dead).extracting(d -> d.get("source").asText())
                .containsExactlyInAnyOrder("logs/b.ndjson:2", "s3://" + bucket + "/logs/d.csv.gz");
        assertThat(dead).filteredOn(d -> d.get("source").asText().endsWith("d.csv.gz"))
                .extracting(d -> d.get("error").asText()).singleElement().asString().contains("gzip");
    }

    @Test
    @Timeout(180)
    void a_stop_while_an_object_is_in_flight_abandons_it_unrecorded_and_the_next_start_reads_it() throws Exception {
        String bucket = "stop-" + System.nanoTime();
        client.createBucket(b -> b.bucket(bucket));
        put(bucket, "logs/a.csv", Files.readAllBytes(EXAMPLES.resolve("airkit-audit-20240601T1005.csv")));
        Path state = dir.resolve("state");
        Path dlq = dir.resolve("dlq");
        String source = "kamelet:airkit-audit-source?bucketName=" + bucket + "&prefix=logs/&overrideEndpoint=true"
                + "&uriEndpointOverride=" + s3.httpUrl() + "&forcePathStyle=true&accessKey=" + s3.accessKey()
                + "&secretKey=" + s3.secretKey() + "&pollInterval=200&stateDir=" + state + "&dlqDir=" + dlq;

        // the sink hangs on the first event: the stop must not wait for it forever, nor record the object
        java.util.concurrent.CountDownLatch inFlight = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch never = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicBoolean interrupted = new java.util.concurrent.atomic.AtomicBoolean();
        List<String> delivered = new CopyOnWriteArrayList<>();
        CamelContext first = new DefaultCamelContext();
        first.getShutdownStrategy().setTimeout(30);
        first.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from(source)
                        .to("kamelet:audit-normalize-action?vendor=airkit&stateDir=" + state + "&dlqDir=" + dlq)
                        .process(e -> {
                            Iterator<?> events = OneByOne.of(e.getMessage().getBody());
                            while (events.hasNext()) {
                                AuditEvent event = (AuditEvent) events.next();
                                inFlight.countDown();
                                try {
                                    never.await(120, java.util.concurrent.TimeUnit.SECONDS);
                                } catch (InterruptedException stopped) {
                                    interrupted.set(true);
                                    throw stopped;
                                }
                                delivered.add(event.id());
                            }
                        });
            }
        });
        first.start();
        assertThat(inFlight.await(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        long stopping = System.nanoTime();
        first.close();
        assertThat(Duration.ofNanos(System.nanoTime() - stopping)).isLessThan(Duration.ofSeconds(60));
        RelayRunner.await(Duration.ofSeconds(10), interrupted::get); // the object in flight was abandoned
        assertThat(delivered).isEmpty();

        List<String> units = new CopyOnWriteArrayList<>();
        try (CamelContext second = pipe(bucket, state, dlq, units, delivered, false)) {
            RelayRunner.await(Duration.ofSeconds(60), () -> delivered.size() >= 4);
            AirkitEndpoint endpoint = endpoint(second);
            long passes = endpoint.passes();
            RelayRunner.await(Duration.ofSeconds(60), () -> endpoint.passes() >= passes + 3);
        }
        assertThat(delivered).containsExactlyInAnyOrder("airkit:evt-0001", "airkit:evt-0002", "airkit:evt-0003", "airkit:evt-0004");
        assertThat(units).containsExactly("s3://" + bucket + "/logs/a.csv");
    }

    @Test
    @Timeout(240)
    void to_a_kafka_sink_every_event_once_across_a_restart() throws Exception {
        KafkaServer kafka = KafkaServer.shared();
        String topic = "airkit-pipe-" + System.nanoTime();
        String bucket = "kafka-" + System.nanoTime();
        client.createBucket(b -> b.bucket(bucket));
        put(bucket, "logs/a.csv", Files.readAllBytes(EXAMPLES.resolve("airkit-audit-20240601T1005.csv")));
        put(bucket, "logs/airkit-verify-test-1717236000", "verify".getBytes(StandardCharsets.UTF_8));
        Path state = dir.resolve("state");
        Path dlq = dir.resolve("dlq");
        java.util.concurrent.atomic.AtomicInteger units = new java.util.concurrent.atomic.AtomicInteger();
        RouteBuilder pipe = new RouteBuilder() {
            @Override
            public void configure() {
                from("kamelet:airkit-audit-source?bucketName=" + bucket + "&prefix=logs/&overrideEndpoint=true"
                        + "&uriEndpointOverride=" + s3.httpUrl() + "&forcePathStyle=true&accessKey=" + s3.accessKey()
                        + "&secretKey=" + s3.secretKey() + "&pollInterval=200&maxObjectsPerPoll=1"
                        + "&stateDir=" + state + "&dlqDir=" + dlq)
                        .to("kamelet:audit-normalize-action?vendor=airkit&stateDir=" + state + "&dlqDir=" + dlq)
                        .to("kamelet:audit-kafka-sink?bootstrapServers=" + kafka.bootstrapServers() + "&topic=" + topic)
                        .process(e -> units.incrementAndGet());
            }
        };

        // stopped after its first object; the other two arrive while it is down and are for the next start
        try (CamelContext first = new DefaultCamelContext()) {
            first.addRoutes(pipe);
            first.start();
            RelayRunner.await(Duration.ofSeconds(90), () -> units.get() >= 1);
        }
        int before = units.get();
        assertThat(before).isLessThan(3);
        put(bucket, "logs/b.ndjson", ("""
                {"ORGANIZATION_ID":"org-1","EVENT_ID":"evt-0100","EVENT_TIME":"2024-06-01 10:20:00.000","EVENT_TYPE":"user_login"}
                {"ORGANIZATION_ID":"org-1","EVENT_ID":"evt-0101","EVENT_TIME":
                {"ORGANIZATION_ID":"org-1","EVENT_ID":"evt-0102","EVENT_TIME":"2024-06-01 10:21:00.000","EVENT_TYPE":"user_logout"}
                """).getBytes(StandardCharsets.UTF_8));
        put(bucket, "logs/c.ndjson.gz", Files.readAllBytes(EXAMPLES.resolve("airkit-audit-20240601T1015.ndjson.gz")));
        try (CamelContext second = new DefaultCamelContext()) {
            second.addRoutes(pipe);
            second.start();
            RelayRunner.await(Duration.ofSeconds(90), () -> units.get() >= 3);
            AirkitEndpoint source = endpoint(second);
            long passes = source.passes();
            RelayRunner.await(Duration.ofSeconds(60), () -> source.passes() >= passes + 3);
        }
        assertThat(units.get()).as("each object went through once").isEqualTo(3);

        List<String> keys = new java.util.ArrayList<>();
        try (org.apache.kafka.clients.consumer.KafkaConsumer<String, String> consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<>(
                java.util.Map.of("bootstrap.servers", kafka.bootstrapServers()),
                new org.apache.kafka.common.serialization.StringDeserializer(), new org.apache.kafka.common.serialization.StringDeserializer())) {
            List<org.apache.kafka.common.TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new org.apache.kafka.common.TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            java.util.Map<org.apache.kafka.common.TopicPartition, Long> end = consumer.endOffsets(partitions);
            RelayRunner.await(Duration.ofSeconds(60), () -> {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> keys.add(r.key()));
                return partitions.stream().allMatch(p -> consumer.position(p) >= end.get(p));
            });
        }
        assertThat(keys).containsExactlyInAnyOrder("airkit:evt-0001", "airkit:evt-0002", "airkit:evt-0003", "airkit:evt-0004",
                "airkit:evt-0100", "airkit:evt-0102", "airkit:evt-0005", "airkit:evt-0006", "airkit:evt-0007");
        assertThat(Output.jsonFile(dlq.resolve("dead-letters.jsonl"))).extracting(d -> d.get("source").asText())
                .containsExactly("logs/b.ndjson:2");
    }
}
