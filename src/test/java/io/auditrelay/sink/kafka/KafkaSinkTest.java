package io.auditrelay.sink.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import io.auditrelay.mapper.Json;
import io.auditrelay.testing.KafkaServer;
import io.auditrelay.testing.Output;
import io.auditrelay.testing.RealServers;
import io.auditrelay.testing.RelayRunner;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(RealServers.class)
class KafkaSinkTest {

    static final String CRDB = "{\"id\":\"%s-6a87-4efc-ac7b-157ba172f957\",\"user_email\":\"ops@example.com\","
            + "\"cluster_id\":\"c-1\",\"cluster_name\":\"example-cluster\",\"action\":\"AUDIT_LOG_ACTION_CREATE_CLUSTER\","
            + "\"payload\":{},\"metadata\":null,\"error\":\"\",\"created_at\":\"2022-10-09T02:40:00.262143Z\"}";
    static final String ASTRA = "{\"typename\":\"AuditEvent\",\"actionResult\":\"SUCCESS\",\"userID\":\"u-1\","
            + "\"event\":{\"databaseName\":\"orders\",\"databaseId\":\"db-1\",\"orgId\":\"org-1\"},"
            + "\"eventTime\":\"2024-05-02T09:15:32.481Z\",\"eventType\":\"DB_CREATED\"}";

    @TempDir
    Path dir;

    @Test
    @Timeout(120)
    void each_event_is_one_record_keyed_by_id_with_cloudevents_headers_and_only_the_routed_vendors(KafkaServer kafka)
            throws Exception {
        String topic = "audit-" + UUID.randomUUID();
        RelayRunner relay = RelayRunner.inDir(dir)
                .with("relay.sinks", "ndjson,kafka")
                .with("relay.sink.kafka.brokers", kafka.bootstrapServers())
                .with("relay.sink.kafka.topic", topic)
                .with("relay.sink.kafka.vendors", "cockroachdb");
        write(relay.inbox("cockroachdb").resolve("a.jsonl"),
                CRDB.formatted("10000000") + "\n" + CRDB.formatted("20000000") + "\n" + CRDB.formatted("30000000") + "\n");
        write(relay.inbox("astra").resolve("s.jsonl"), ASTRA + "\n");

        relay.runOnce();

        assertThat(Output.ids(relay.ndjsonDir())).hasSize(4);
        List<ConsumerRecord<String, String>> records = consume(kafka, topic, 3);
        assertThat(records).extracting(ConsumerRecord::key).containsExactly(
                "cockroachdb:10000000-6a87-4efc-ac7b-157ba172f957",
                "cockroachdb:20000000-6a87-4efc-ac7b-157ba172f957",
                "cockroachdb:30000000-6a87-4efc-ac7b-157ba172f957");
        Map<String, JsonNode> ndjson = new HashMap<>();
        Output.json(relay.ndjsonDir()).forEach(n -> ndjson.put(n.get("id").asText(), n));
        for (ConsumerRecord<String, String> record : records) {
            assertThat(Json.MAPPER.readTree(record.value())).isEqualTo(ndjson.get(record.key()));
            Map<String, String> headers = new HashMap<>();
            for (Header h : record.headers()) {
                headers.put(h.key(), new String(h.value(), StandardCharsets.UTF_8));
            }
            assertThat(headers).containsOnly(
                    Map.entry("ce_specversion", "1.0"),
                    Map.entry("ce_id", record.key()),
                    Map.entry("ce_source", "audit-relay/cockroachdb"),
                    Map.entry("ce_type", "audit.cockroachdb.AUDIT_LOG_ACTION_CREATE_CLUSTER"),
                    Map.entry("ce_time", "2022-10-09T02:40:00.262143Z"),
                    Map.entry("content-type", "application/json"));
        }
        // all three in one partition order per key: the key decides the partition; one partition topic here
        assertThat(Output.jsonFile(relay.dlqFile())).isEmpty();
    }

    @Test
    @Timeout(120)
    void client_properties_are_passed_to_the_producer_and_a_refused_send_is_dead_lettered_with_its_event(KafkaServer kafka)
            throws Exception {
        RelayRunner relay = RelayRunner.inDir(dir)
                .with("relay.sinks", "ndjson,kafka")
                .with("relay.sink.kafka.brokers", kafka.bootstrapServers())
                .with("relay.sink.kafka.topic", "audit-" + UUID.randomUUID())
                .with("relay.sink.kafka.max-retries", "1")
                // too small for any event: proves relay.sink.kafka.kafka.* reaches the producer
                .with("relay.sink.kafka.kafka.max.request.size", "100");
        write(relay.inbox("cockroachdb").resolve("a.jsonl"), CRDB.formatted("40000000") + "\n");

        relay.runOnce();

        assertThat(Output.ids(relay.ndjsonDir())).containsExactly("cockroachdb:40000000-6a87-4efc-ac7b-157ba172f957");
        List<JsonNode> dead = Output.jsonFile(relay.dlqFile());
        assertThat(dead).hasSize(1);
        assertThat(dead.get(0).get("sink").asText()).isEqualTo("kafka");
        assertThat(dead.get(0).get("event").get("id").asText()).isEqualTo("cockroachdb:40000000-6a87-4efc-ac7b-157ba172f957");
        assertThat(dead.get(0).get("error").asText()).containsIgnoringCase("max.request.size");
    }

    static List<ConsumerRecord<String, String>> consume(KafkaServer kafka, String topic, int count) {
        List<ConsumerRecord<String, String>> out = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName()))) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (out.size() < count && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(500)).forEach(out::add);
            }
            // a short extra poll: no more than expected
            consumer.poll(Duration.ofMillis(500)).forEach(out::add);
        }
        return out;
    }

    static void write(Path file, String content) throws Exception {
        Files.createDirectories(file.getParent());
        Files.writeString(file, content, StandardCharsets.UTF_8);
    }
}
