package io.auditrelay.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.auditrelay.mapper.Json;
import io.auditrelay.source.cockroachdb.FakeCockroachCloud;
import io.auditrelay.testing.KafkaServer;
import io.auditrelay.testing.Output;
import io.auditrelay.testing.PulsarServer;
import io.auditrelay.testing.RelayRunner;
import io.auditrelay.testing.S3ProxyServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.pulsar.client.api.Producer;
import org.apache.pulsar.client.api.PulsarClient;
import org.apache.pulsar.client.api.Schema;
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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs real Pipe files (kind: Pipe, camel.apache.org/v1) with the Camel CLI as a user does:
 * {@code camel run <pipe>.yaml --local-kamelet-dir=kamelets --dep=io.auditrelay:audit-relay:0.1.0-SNAPSHOT}
 * (Camel JBang 4.17.0, {@code scripts/camel}), after installing the built thin jar as {@code mvn install} would.
 * Each Pipe is source Kamelet -> audit-normalize-action -> audit-kafka-sink to an output topic on a real broker,
 * where every copy of an event stays visible (records are counted per id). Per source: a bad record in the middle
 * is dead-lettered (dlqDir) with its reason, the camel run process is stopped (SIGTERM) mid-way and run again with
 * more input, and every event is on the topic exactly once.
 */
@Timeout(600)
class PipeRunIT {

    private static final Path PROJECT = Path.of("").toAbsolutePath();
    private static final Path AIRKIT_EXAMPLES = PROJECT.resolve("examples/inbox/airkit");

    private static KafkaServer kafka;

    @TempDir
    Path work;

    @BeforeAll
    static void install() throws Exception {
        Path log = PROJECT.resolve("target/install.log");
        int exit = run(PROJECT, List.of("mvn", "-q", "-B", "install:install-file",
                "-Dfile=target/audit-relay-0.1.0-SNAPSHOT.jar", "-DpomFile=pom.xml"), log, 300);
        assertThat(exit).as(Files.readString(log)).isZero();
        kafka = KafkaServer.shared();
    }

    // ------------------------------------------------------------------------------------------------ conduktor

    @Test
    void conduktor_pipe_structured_and_binary_records_once_each_across_a_sigterm_and_a_second_run() throws Exception {
        String in = "pipeit-conduktor-in-" + System.nanoTime();
        String out = "pipeit-conduktor-out-" + System.nanoTime();
        String group = "pipeit-" + System.nanoTime();
        List<ProducerRecord<String, String>> first = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            first.add(new ProducerRecord<>(in, structured(in, "s1-" + i)));
        }
        for (int i = 0; i < 30; i++) {
            first.add(binary(in, "b-" + i));
        }
        first.add(new ProducerRecord<>(in, "this is not json")); // offset 60, in the middle
        for (int i = 0; i < 30; i++) {
            first.add(new ProducerRecord<>(in, structured(in, "s2-" + i)));
        }
        send(first);
        Path state = work.resolve("state");
        Path dlq = work.resolve("dlq");
        Path pipe = pipe("conduktor-audit-to-kafka", "conduktor-audit-source", Map.of(
                        "bootstrapServers", kafka.bootstrapServers(), "topic", in, "groupId", group,
                        "maxPollRecords", "5", "retryDelay", "200"),
                "conduktor", state, dlq, out);

        // first run, stopped as soon as something is out (most of the 91 records are still to come)
        Process one = camelRun(pipe, "run-1.log");
        try {
            await(Duration.ofSeconds(180), one, "run-1.log", () -> counts(out).size() >= 5);
        } finally {
            stop(one);
        }
        int afterFirst = counts(out).size();
        System.out.println("conduktor: " + afterFirst + " of 90 events out, offset " + committed(group, in)
                + " of 91 committed when the first camel run was stopped");

        List<ProducerRecord<String, String>> second = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            second.add(new ProducerRecord<>(in, structured(in, "s3-" + i)));
        }
        send(second);
        Process two = camelRun(pipe, "run-2.log");
        try {
            await(Duration.ofSeconds(180), two, "run-2.log", () -> counts(out).size() >= 100
                    && committed(group, in) >= 101);
        } finally {
            stop(two);
        }

        List<String> expected = new ArrayList<>();
        for (String prefix : List.of("s1-", "b-", "s2-")) {
            for (int i = 0; i < 30; i++) {
                expected.add("conduktor:" + prefix + i);
            }
        }
        for (int i = 0; i < 10; i++) {
            expected.add("conduktor:s3-" + i);
        }
        Map<String, Integer> counts = counts(out);
        assertThat(counts.keySet()).as("after the first run %d ids", afterFirst).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(counts).as("every event exactly once on the output topic").allSatisfy((id, n) -> assertThat(n).as(id).isEqualTo(1));
        // binary mode: the ce_* headers made the event
        Map<String, JsonNode> values = values(out);
        assertThat(values.get("conduktor:b-7").toString()).containsIgnoringCase("delete");
        assertThat(values.get("conduktor:s1-7").toString()).containsIgnoringCase("create");

        List<JsonNode> dead = Output.jsonFile(dlq.resolve("dead-letters.jsonl"));
        assertThat(dead).extracting(d -> d.get("source").asText()).containsExactly(in + "/0/60");
        assertThat(dead.get(0).get("vendor").asText()).isEqualTo("conduktor");
        assertThat(dead.get(0).get("error").asText()).isNotBlank();
    }

    // ---------------------------------------------------------------------------------------------- cockroachdb

    @Test
    void cockroachdb_pipe_pages_once_each_across_a_sigterm_and_a_second_run() throws Exception {
        String out = "pipeit-crdb-out-" + System.nanoTime();
        try (FakeCockroachCloud api = new FakeCockroachCloud()) {
            for (int i = 1; i <= 40; i++) {
                entry(api, i);
            }
            Path state = work.resolve("state");
            Path dlq = work.resolve("dlq");
            Map<String, String> source = new LinkedHashMap<>();
            source.put("url", api.url());
            source.put("apiKey", FakeCockroachCloud.KEY);
            source.put("pageSize", "4");
            source.put("pollInterval", "200ms");
            source.put("backoff", "100ms");
            source.put("maxBackoff", "300ms");
            source.put("stateDir", work.resolve("cursor").toString());
            Path pipe = pipe("cockroachdb-audit-to-kafka", "cockroachdb-audit-source", source, "cockroachdb", state, dlq, out);

            Process one = camelRun(pipe, "run-1.log");
            try {
                await(Duration.ofSeconds(180), one, "run-1.log", () -> counts(out).size() >= 4);
            } finally {
                stop(one);
            }
            int afterFirst = counts(out).size();
            System.out.println("cockroachdb: " + afterFirst + " of 39 events out when the first camel run was stopped");

            for (int i = 41; i <= 48; i++) {
                entry(api, i);
            }
            Process two = camelRun(pipe, "run-2.log");
            try {
                // all there, and the source asked again after the last page (drained: nothing left in flight)
                await(Duration.ofSeconds(180), two, "run-2.log", () -> counts(out).size() >= 47);
                int requests = api.requests().size();
                await(Duration.ofSeconds(60), two, "run-2.log", () -> api.requests().size() >= requests + 2);
            } finally {
                stop(two);
            }

            List<String> expected = new ArrayList<>();
            for (int i = 1; i <= 48; i++) {
                if (i != 20) {
                    expected.add(String.format("cockroachdb:e%02d", i));
                }
            }
            Map<String, Integer> counts = counts(out);
            assertThat(counts.keySet()).as("after the first run %d ids", afterFirst).containsExactlyInAnyOrderElementsOf(expected);
            assertThat(counts).as("every event exactly once on the output topic").allSatisfy((id, n) -> assertThat(n).as(id).isEqualTo(1));
            List<JsonNode> dead = Output.jsonFile(dlq.resolve("dead-letters.jsonl"));
            assertThat(dead).singleElement().satisfies(d -> {
                assertThat(d.toString()).contains("e20");
                assertThat(d.get("vendor").asText()).isEqualTo("cockroachdb");
                assertThat(d.get("error").asText()).contains("action");
            });
        }
    }

    /** Entry {@code e<i>}; e20 lacks its action (a bad record in the middle). */
    private static void entry(FakeCockroachCloud api, int i) {
        String id = String.format("e%02d", i);
        String at = String.format("2024-05-01T10:%02d:%02d.000001Z", i / 60, i % 60);
        if (i == 20) {
            ObjectNode bad = Json.MAPPER.createObjectNode().put("id", id).put("created_at", at);
            api.addRaw(at, bad);
        } else {
            api.add(id, at);
        }
    }

    // --------------------------------------------------------------------------------------------------- airkit

    @Test
    void airkit_pipe_objects_once_each_across_a_sigterm_and_a_second_run() throws Exception {
        S3ProxyServer s3 = S3ProxyServer.shared();
        String out = "pipeit-airkit-out-" + System.nanoTime();
        String bucket = "pipeit-" + System.nanoTime();
        try (S3Client client = S3Client.builder().endpointOverride(s3.endpoint()).forcePathStyle(true).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(s3.accessKey(), s3.secretKey())))
                .build()) {
            client.createBucket(b -> b.bucket(bucket));
            put(client, bucket, "logs/a.csv", Files.readAllBytes(AIRKIT_EXAMPLES.resolve("airkit-audit-20240601T1005.csv")));
            put(client, bucket, "logs/b.ndjson", ("""
                    {"ORGANIZATION_ID":"org-1","EVENT_ID":"evt-0100","EVENT_TIME":"2024-06-01 10:20:00.000","EVENT_TYPE":"user_login"}
                    {"ORGANIZATION_ID":"org-1","EVENT_ID":"evt-0101","EVENT_TIME":
                    {"ORGANIZATION_ID":"org-1","EVENT_ID":"evt-0102","EVENT_TIME":"2024-06-01 10:21:00.000","EVENT_TYPE":"user_logout"}
                    """).getBytes(StandardCharsets.UTF_8));
            put(client, bucket, "logs/c.ndjson.gz", Files.readAllBytes(AIRKIT_EXAMPLES.resolve("airkit-audit-20240601T1015.ndjson.gz")));
            Path state = work.resolve("state");
            Path dlq = work.resolve("dlq");
            Map<String, String> source = new LinkedHashMap<>();
            source.put("bucketName", bucket);
            source.put("prefix", "logs/");
            source.put("region", S3ProxyServer.REGION);
            source.put("overrideEndpoint", "true");
            source.put("uriEndpointOverride", s3.httpUrl());
            source.put("forcePathStyle", "true");
            source.put("accessKey", s3.accessKey());
            source.put("secretKey", s3.secretKey());
            source.put("pollInterval", "200");
            source.put("maxObjectsPerPoll", "1");
            source.put("stateDir", state.toString());
            source.put("dlqDir", dlq.toString());
            Path pipe = pipe("airkit-audit-to-kafka", "airkit-audit-source", source, "airkit", state, dlq, out);

            Process one = camelRun(pipe, "run-1.log");
            try {
                await(Duration.ofSeconds(180), one, "run-1.log", () -> counts(out).size() >= 1);
            } finally {
                stop(one);
            }
            int afterFirst = counts(out).size();
            System.out.println("airkit: " + afterFirst + " of 9 events out when the first camel run was stopped");

            put(client, bucket, "logs/d.ndjson", ("""
                    {"ORGANIZATION_ID":"org-1","EVENT_ID":"evt-0200","EVENT_TIME":"2024-06-01 11:20:00.000","EVENT_TYPE":"user_login"}
                    """).getBytes(StandardCharsets.UTF_8));
            Process two = camelRun(pipe, "run-2.log");
            try {
                await(Duration.ofSeconds(180), two, "run-2.log", () -> counts(out).size() >= 10);
            } finally {
                stop(two);
            }

            Map<String, Integer> counts = counts(out);
            assertThat(counts.keySet()).as("after the first run %d ids", afterFirst).containsExactlyInAnyOrder(
                    "airkit:evt-0001", "airkit:evt-0002", "airkit:evt-0003", "airkit:evt-0004", "airkit:evt-0100",
                    "airkit:evt-0102", "airkit:evt-0005", "airkit:evt-0006", "airkit:evt-0007", "airkit:evt-0200");
            assertThat(counts).as("every event exactly once on the output topic").allSatisfy((id, n) -> assertThat(n).as(id).isEqualTo(1));
            List<JsonNode> dead = Output.jsonFile(dlq.resolve("dead-letters.jsonl"));
            assertThat(dead).singleElement().satisfies(d -> {
                assertThat(d.get("source").asText()).isEqualTo("logs/b.ndjson:2");
                assertThat(d.get("vendor").asText()).isEqualTo("airkit");
                assertThat(d.get("error").asText()).isNotBlank();
            });
        }
    }

    private static void put(S3Client client, String bucket, String key, byte[] content) {
        client.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromBytes(content));
    }

    // ---------------------------------------------------------------------------------------------------- astra

    @Test
    void astra_pipe_messages_once_each_across_a_sigterm_and_a_second_run() throws Exception {
        PulsarServer pulsar = PulsarServer.shared();
        String topic = "persistent://public/default/pipeit-astra-" + System.nanoTime();
        String out = "pipeit-astra-out-" + System.nanoTime();
        String bad;
        try (PulsarClient client = PulsarClient.builder().serviceUrl(pulsar.serviceUrl()).build();
             Producer<String> producer = client.newProducer(Schema.STRING).topic(topic).enableBatching(false).create()) {
            String badLocation = null;
            for (int i = 1; i <= 20; i++) {
                if (i == 10) {
                    badLocation = topic + "/" + producer.send("not json at all");
                } else {
                    producer.send(astraEvent("u-" + i, "db-" + i));
                }
            }
            bad = badLocation;
            Path state = work.resolve("state");
            Path dlq = work.resolve("dlq");
            Map<String, String> source = new LinkedHashMap<>();
            source.put("serviceUrl", pulsar.serviceUrl());
            source.put("topic", topic);
            source.put("auth", "none");
            source.put("subscription", "pipeit");
            source.put("nackRedeliveryDelay", "300");
            Path pipe = pipe("astra-audit-to-kafka", "astra-audit-source", source, "astra", state, dlq, out);

            Process one = camelRun(pipe, "run-1.log");
            try {
                await(Duration.ofSeconds(180), one, "run-1.log", () -> counts(out).size() >= 3);
            } finally {
                stop(one);
            }
            int afterFirst = counts(out).size();
            System.out.println("astra: " + afterFirst + " of 19 events out when the first camel run was stopped");

            for (int i = 21; i <= 25; i++) {
                producer.send(astraEvent("u-" + i, "db-" + i));
            }
            Process two = camelRun(pipe, "run-2.log");
            try {
                await(Duration.ofSeconds(180), two, "run-2.log", () -> counts(out).size() >= 24);
            } finally {
                stop(two);
            }

            Map<String, Integer> counts = counts(out);
            assertThat(counts).as("after the first run %d ids", afterFirst).hasSize(24)
                    .allSatisfy((id, n) -> assertThat(id).matches("astra:[0-9a-f]{64}"));
            assertThat(counts).as("every event exactly once on the output topic").allSatisfy((id, n) -> assertThat(n).as(id).isEqualTo(1));
            List<JsonNode> dead = Output.jsonFile(dlq.resolve("dead-letters.jsonl"));
            assertThat(dead).singleElement().satisfies(d -> {
                assertThat(d.get("source").asText()).isEqualTo(bad);
                assertThat(d.get("vendor").asText()).isEqualTo("astra");
                assertThat(d.get("error").asText()).isNotBlank();
                assertThat(d.toString()).contains("not json at all");
            });
        }
    }

    private static String astraEvent(String user, String db) {
        return "{\"typename\":\"AuditEvent\",\"actionResult\":\"SUCCESS\",\"userID\":\"" + user + "\","
                + "\"event\":{\"orgId\":\"org-1\",\"databaseId\":\"" + db + "\",\"databaseName\":\"orders\"},"
                + "\"eventTime\":\"2024-05-02T09:15:32.481Z\",\"eventType\":\"DB_CREATED\"}";
    }

    // -------------------------------------------------------------------------------------------------- helpers

    /** Writes {@code <name>.yaml}: source Kamelet -> audit-normalize-action -> audit-kafka-sink. */
    private Path pipe(String name, String sourceKamelet, Map<String, String> sourceProperties, String vendor,
                      Path stateDir, Path dlqDir, String outTopic) throws Exception {
        StringBuilder yaml = new StringBuilder()
                .append("apiVersion: camel.apache.org/v1\n")
                .append("kind: Pipe\n")
                .append("metadata:\n  name: ").append(name).append('\n')
                .append("spec:\n")
                .append("  source:\n")
                .append("    ref: {kind: Kamelet, apiVersion: camel.apache.org/v1, name: ").append(sourceKamelet).append("}\n")
                .append("    properties:\n");
        sourceProperties.forEach((k, v) -> yaml.append("      ").append(k).append(": ").append(quoted(v)).append('\n'));
        yaml.append("  steps:\n")
                .append("    - ref: {kind: Kamelet, apiVersion: camel.apache.org/v1, name: audit-normalize-action}\n")
                .append("      properties:\n")
                .append("        vendor: ").append(vendor).append('\n')
                .append("        stateDir: ").append(quoted(stateDir.toString())).append('\n')
                .append("        dlqDir: ").append(quoted(dlqDir.toString())).append('\n')
                .append("  sink:\n")
                .append("    ref: {kind: Kamelet, apiVersion: camel.apache.org/v1, name: audit-kafka-sink}\n")
                .append("    properties:\n")
                .append("      bootstrapServers: ").append(quoted(kafka.bootstrapServers())).append('\n')
                .append("      topic: ").append(quoted(outTopic)).append('\n');
        Path file = work.resolve(name + ".yaml");
        Files.writeString(file, yaml);
        return file;
    }

    /**
     * The value as a YAML double-quoted scalar, written as a user writes it: plain URLs, paths (with '/', ':') and keys
     * reach the endpoints as written.
     */
    private static String quoted(String value) {
        try {
            return Json.MAPPER.writeValueAsString(value); // a JSON string is a YAML double-quoted scalar
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** {@code camel run <pipe> --local-kamelet-dir=<project>/kamelets --dep=<the relay jar>} in the test's directory. */
    private Process camelRun(Path pipe, String logName) throws Exception {
        String command = PROJECT.resolve("scripts/camel") + " run " + pipe.getFileName()
                + " --local-kamelet-dir=" + PROJECT.resolve("kamelets")
                + " --dep=io.auditrelay:audit-relay:0.1.0-SNAPSHOT --max-seconds=400";
        return new ProcessBuilder("bash", "-c", command).directory(work.toFile()).redirectErrorStream(true)
                .redirectOutput(work.resolve(logName).toFile()).start();
    }

    /** SIGTERM to the whole tree (JBang runs Camel as a child JVM): Camel stops gracefully. */
    private static void stop(Process process) throws InterruptedException {
        List<ProcessHandle> tree = process.descendants().toList();
        tree.forEach(ProcessHandle::destroy);
        process.destroy();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        for (ProcessHandle p : tree) {
            try {
                p.onExit().get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (Exception e) {
                p.destroyForcibly();
            }
        }
        if (!process.waitFor(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
    }

    /** Waits for the condition; fails at once with the run's log if camel run ended before. */
    private void await(Duration timeout, Process process, String logName, Supplier<Boolean> condition) throws Exception {
        try {
            RelayRunner.await(timeout, () -> {
                if (!process.isAlive()) {
                    throw new IllegalStateException("camel run ended with " + process.exitValue());
                }
                return condition.get();
            });
        } catch (RuntimeException | AssertionError e) {
            throw new AssertionError(e.getMessage() + "\n" + tail(work.resolve(logName)), e);
        }
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 150), lines.size()));
        } catch (Exception e) {
            return "(no log: " + e + ")";
        }
    }

    private static String structured(String topic, String id) {
        return "{\"source\":\"//kafka/kafkacluster/production/topic/orders-" + id + "\",\"data\":{\"eventType\":"
                + "\"Kafka.Topic.Create\",\"user\":\"alice@example.com\",\"metadata\":{\"name\":\"orders-" + id
                + "\",\"cluster\":\"production\"}},\"datacontenttype\":\"application/json\",\"id\":\"" + id
                + "\",\"time\":\"2024-10-10T07:52:07.483140Z\",\"type\":\"AuditLogEventType(Kafka,Topic,Create)\",\"specversion\":\"1.0\"}";
    }

    /** A binary-mode CloudEvent: the event in ce_* headers, its data the value. */
    private static ProducerRecord<String, String> binary(String topic, String id) {
        ProducerRecord<String, String> record = new ProducerRecord<>(topic, null, "{\"eventType\":\"Kafka.Topic.Delete\","
                + "\"user\":\"bob@example.com\",\"metadata\":{\"name\":\"orders-" + id + "\",\"cluster\":\"production\"}}");
        Map.of("ce_specversion", "1.0", "ce_id", id, "ce_source", "//kafka/kafkacluster/production/topic/orders-" + id,
                        "ce_type", "AuditLogEventType(Kafka,Topic,Delete)", "ce_time", "2024-10-11T08:00:00Z",
                        "content-type", "application/json")
                .forEach((k, v) -> record.headers().add(k, v.getBytes(StandardCharsets.UTF_8)));
        return record;
    }

    private static void send(List<ProducerRecord<String, String>> records) throws Exception {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()), new StringSerializer(), new StringSerializer())) {
            for (ProducerRecord<String, String> r : records) {
                producer.send(r).get();
            }
        }
    }

    private static long committed(String group, String topic) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            OffsetAndMetadata offset = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
                    .get(10, TimeUnit.SECONDS).get(new TopicPartition(topic, 0));
            return offset == null ? 0 : offset.offset();
        } catch (Exception e) {
            return -1;
        }
    }

    /** How many records each key has on the topic (all of it, from the beginning). */
    private static Map<String, Integer> counts(String topic) {
        Map<String, Integer> counts = new TreeMap<>();
        readList(topic).forEach(record -> counts.merge(record.getKey(), 1, Integer::sum));
        return counts;
    }

    /** The last value per key, as JSON. */
    private static Map<String, JsonNode> values(String topic) throws Exception {
        Map<String, JsonNode> values = new TreeMap<>();
        for (Map.Entry<String, String> e : readList(topic)) {
            values.put(e.getKey(), Json.MAPPER.readTree(e.getValue()));
        }
        return values;
    }

    private static List<Map.Entry<String, String>> readList(String topic) {
        List<Map.Entry<String, String>> records = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                "bootstrap.servers", kafka.bootstrapServers()), new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> partitions;
            try {
                List<org.apache.kafka.common.PartitionInfo> info = consumer.partitionsFor(topic, Duration.ofSeconds(5));
                partitions = info == null ? null : info.stream()
                        .map(p -> new TopicPartition(topic, p.partition())).toList();
            } catch (org.apache.kafka.common.errors.TimeoutException notYet) {
                return records;
            }
            if (partitions == null || partitions.isEmpty()) {
                return records;
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p)) && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(r -> records.add(Map.entry(String.valueOf(r.key()), r.value())));
            }
        }
        return records;
    }

    private static int run(Path dir, List<String> command, Path log, int timeoutSeconds) throws Exception {
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError(command + " did not finish in " + timeoutSeconds + " s:\n" + Files.readString(log));
        }
        return process.exitValue();
    }
}
