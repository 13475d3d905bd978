package io.auditrelay.source.conduktor;

import com.fasterxml.jackson.databind.JsonNode;
import io.auditrelay.testing.HaltingSink;
import io.auditrelay.testing.KafkaServer;
import io.auditrelay.testing.Output;
import io.auditrelay.testing.RelayRunner;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** The Conduktor source against a real KRaft broker: N in, N out, dead letters, commits, restarts, crash. */
@Timeout(180)
class ConduktorKafkaSourceTest {

    private static KafkaServer kafka;

    @TempDir
    Path dir;

    @BeforeAll
    static void broker() {
        kafka = KafkaServer.shared();
    }

    static String structured(String id, String eventType) {
        return "{\"source\":\"//kafka/kafkacluster/production/topic/orders-" + id + "\",\"data\":{\"eventType\":\""
                + eventType + "\",\"user\":\"alice@example.com\",\"metadata\":{\"name\":\"orders-" + id
                + "\",\"cluster\":\"production\"}},\"datacontenttype\":\"application/json\",\"id\":\"" + id
                + "\",\"time\":\"2024-10-10T07:52:07.483140Z\",\"type\":\"AuditLogEventType(Kafka,Topic,Create)\",\"specversion\":\"1.0\"}";
    }

    static ProducerRecord<String, String> binary(String topic, String id) {
        ProducerRecord<String, String> record = new ProducerRecord<>(topic, null, "{\"eventType\":\"Kafka.Topic.Delete\","
                + "\"user\":\"bob@example.com\",\"metadata\":{\"name\":\"orders-" + id + "\",\"cluster\":\"production\"}}");
        Map.of("ce_specversion", "1.0", "ce_id", id, "ce_source", "//kafka/kafkacluster/production/topic/orders-" + id,
                "ce_type", "AuditLogEventType(Kafka,Topic,Delete)", "ce_time", "2024-10-11T08:00:00Z",
                "content-type", "application/json")
                .forEach((k, v) -> record.headers().add(k, v.getBytes(StandardCharsets.UTF_8)));
        return record;
    }

    static void send(List<ProducerRecord<String, String>> records) throws Exception {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName(),
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName()))) {
            for (ProducerRecord<String, String> r : records) {
                producer.send(r).get();
            }
        }
    }

    static List<ProducerRecord<String, String>> structuredRecords(String topic, String prefix, int n) {
        List<ProducerRecord<String, String>> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new ProducerRecord<>(topic, structured(prefix + i, "Kafka.Topic.Create")));
        }
        return out;
    }

    RelayRunner relay(Path in, String topic, String group) {
        return RelayRunner.inDir(in)
                .with("relay.inbox.enabled", "false")
                .with("relay.sinks", "csv")
                .with("relay.source.conduktor.enabled", "true")
                .with("relay.source.conduktor.brokers", kafka.bootstrapServers())
                .with("relay.source.conduktor.topic", topic)
                .with("relay.source.conduktor.group-id", group)
                .with("relay.source.conduktor.poll-timeout", "200");
    }

    static List<String> csvIds(RelayRunner relay) {
        return Output.lines(relay.csvDir()).stream().filter(l -> !l.startsWith("id,"))
                .map(l -> l.substring(0, l.indexOf(','))).toList();
    }

    @Test
    void structured_and_binary_cloud_events_become_one_event_each_and_malformed_records_are_dead_lettered_with_their_offset()
            throws Exception {
        String topic = "conduktor-" + UUID.randomUUID();
        List<ProducerRecord<String, String>> records = new ArrayList<>(structuredRecords(topic, "s-", 3));
        records.add(new ProducerRecord<>(topic, "this is not json"));               // offset 3
        records.add(binary(topic, "b-1"));
        records.add(new ProducerRecord<>(topic, "{\"specversion\":\"1.0\"}"));      // offset 5: no event type
        records.add(binary(topic, "b-2"));
        send(records);

        RelayRunner relay = relay(dir, topic, "g-" + UUID.randomUUID());
        relay.runOnce(Duration.ofSeconds(90));

        assertThat(csvIds(relay)).containsExactlyInAnyOrder(
                "conduktor:s-0", "conduktor:s-1", "conduktor:s-2", "conduktor:b-1", "conduktor:b-2");
        assertThat(Output.lines(relay.csvDir())).anyMatch(l -> l.startsWith("conduktor:b-1,") && l.contains("Kafka.Topic.Delete")
                && l.contains("orders-b-1"));
        List<JsonNode> dead = Output.jsonFile(relay.dlqFile());
        assertThat(dead).extracting(d -> d.get("source").asText())
                .containsExactlyInAnyOrder(topic + "/0/3", topic + "/0/5");
        assertThat(dead).allMatch(d -> !d.get("error").asText().isBlank() && d.get("vendor").asText().equals("conduktor"));
    }

    @Test
    void a_message_that_is_not_utf8_is_dead_lettered_with_its_offset_and_the_byte_not_decoded_with_replacement()
            throws Exception {
        String topic = "conduktor-" + UUID.randomUUID();
        byte[] bad = structured("bad", "Kafka.Topic.Create").replace("alice", "al\u00e9ce")
                .getBytes(StandardCharsets.ISO_8859_1);       // the é as one Latin-1 byte: not UTF-8
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName(),
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName()))) {
            producer.send(new ProducerRecord<>(topic, structured("u-0", "Kafka.Topic.Create").getBytes(StandardCharsets.UTF_8))).get();
            producer.send(new ProducerRecord<>(topic, bad)).get();
            producer.send(new ProducerRecord<>(topic, structured("u-2", "Kafka.Topic.Create")
                    .replace("alice", "al\u00e9ce").getBytes(StandardCharsets.UTF_8))).get();
        }

        RelayRunner relay = relay(dir, topic, "g-" + UUID.randomUUID());
        relay.runOnce(Duration.ofSeconds(90));

        assertThat(csvIds(relay)).containsExactlyInAnyOrder("conduktor:u-0", "conduktor:u-2");
        assertThat(Output.lines(relay.csvDir())).noneMatch(l -> l.contains("\uFFFD"));
        List<JsonNode> dead = Output.jsonFile(relay.dlqFile());
        assertThat(dead).hasSize(1);
        assertThat(dead.get(0).get("source").asText()).isEqualTo(topic + "/0/1");
        assertThat(dead.get(0).get("error").asText()).contains("invalid UTF-8 at byte");
    }

    @Test
    void a_restart_resumes_from_the_committed_offset() throws Exception {
        String topic = "conduktor-" + UUID.randomUUID();
        String group = "g-" + UUID.randomUUID();
        send(structuredRecords(topic, "first-", 4));
        RelayRunner first = relay(dir.resolve("run1"), topic, group);
        first.runOnce(Duration.ofSeconds(90));
        assertThat(csvIds(first)).hasSize(4);

        send(structuredRecords(topic, "second-", 2));
        // a fresh state and output: only what the committed offset says is new can show up
        RelayRunner second = relay(dir.resolve("run2"), topic, group);
        second.runOnce(Duration.ofSeconds(90));
        assertThat(csvIds(second)).containsExactlyInAnyOrder("conduktor:second-0", "conduktor:second-1");
    }

    @Test
    void a_relay_frozen_after_delivery_but_before_the_commit_loses_nothing_and_duplicates_nothing() throws Exception {
        String topic = "conduktor-" + UUID.randomUUID();
        String group = "g-" + UUID.randomUUID();
        // the frozen batch (the 13th event and at most nine after it) and the one batch let behind it reach the sink
        // before the stop: at most 32 events, so some are left for the restart whatever sizes the polls return
        int n = 40;
        send(structuredRecords(topic, "c-", n));

        RelayRunner crashing = HaltingSink.enable(relay(dir, topic, group), 12)
                .with("relay.source.conduktor.max-poll-records", "10")
                // two batches at a time, so the batches behind the frozen one stay undelivered and uncommitted (with
                // the default four, all 30 events can reach the sink around the frozen batch before the stop, and the
                // restart has nothing left to deliver; CrashSuiteIT kills a relay with the defaults)
                .with("relay.source.conduktor.delivery-threads", "2")
                .with("relay.source.conduktor.batches-in-flight", "2")
                .with("relay.source.conduktor.shutdown-timeout", "500")
                // the frozen consumer leaves the group quickly, so the restarted relay gets the partition
                .with("relay.source.conduktor.kafka.max.poll.interval.ms", "3000")
                .with("relay.source.conduktor.kafka.session.timeout.ms", "6000");
        crashing.start();
        assertThat(HaltingSink.awaitHalted(60)).isTrue();
        crashing.stop();
        // the sink froze on the chunk holding the 13th event (its poll batch, up to 10 records: a poll may return
        // fewer), which reached the csv sink whole and was never committed
        assertThat(csvIds(crashing)).hasSizeBetween(13, n - 1);

        RelayRunner restarted = relay(dir, topic, group);
        restarted.runOnce(Duration.ofSeconds(90));

        List<String> ids = csvIds(restarted);
        assertThat(ids).hasSize(n).doesNotHaveDuplicates();
    }
}
