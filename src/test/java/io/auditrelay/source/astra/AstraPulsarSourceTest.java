package io.auditrelay.source.astra;

import com.fasterxml.jackson.databind.JsonNode;
import io.auditrelay.testing.HaltingSink;
import io.auditrelay.testing.Output;
import io.auditrelay.testing.PulsarServer;
import io.auditrelay.testing.RelayRunner;
import org.apache.pulsar.client.api.Producer;
import org.apache.pulsar.client.api.PulsarClient;
import org.apache.pulsar.client.api.Schema;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** The Astra source against a real Pulsar standalone: N in, N out, dead letters, acks across a crash, CSV overlap. */
@Timeout(180)
class AstraPulsarSourceTest {

    private static PulsarServer pulsar;
    private static PulsarClient client;

    @TempDir
    Path dir;

    @BeforeAll
    static void broker() throws Exception {
        pulsar = PulsarServer.shared();
        client = PulsarClient.builder().serviceUrl(pulsar.serviceUrl()).build();
    }

    @AfterAll
    static void close() throws Exception {
        if (client != null) {
            client.close();
        }
    }

    static String event(String user, String db) {
        return "{\"typename\":\"AuditEvent\",\"actionResult\":\"SUCCESS\",\"userID\":\"" + user + "\","
                + "\"event\":{\"orgId\":\"org-1\",\"databaseId\":\"" + db + "\",\"databaseName\":\"orders\"},"
                + "\"eventTime\":\"2024-05-02T09:15:32.481Z\",\"eventType\":\"DB_CREATED\"}";
    }

    static String eventAsString(String user, String db) {
        return "{\"typename\":\"AuditEvent\",\"actionResult\":\"SUCCESS\",\"userID\":\"" + user + "\","
                + "\"event\":\"{\\\"orgId\\\":\\\"org-1\\\",\\\"databaseId\\\":\\\"" + db + "\\\"}\","
                + "\"eventTime\":\"2024-05-03T10:00:00Z\",\"eventType\":\"DB_TERMINATED\"}";
    }

    static void send(String topic, List<String> messages) throws Exception {
        try (Producer<String> producer = client.newProducer(Schema.STRING).topic(topic).enableBatching(false).create()) {
            for (String m : messages) {
                producer.send(m);
            }
        }
    }

    static String topic() {
        return "persistent://public/default/astra-audit-" + UUID.randomUUID();
    }

    RelayRunner relay(Path in, String topics) {
        return RelayRunner.inDir(in)
                .with("relay.inbox.enabled", "false")
                .with("relay.sinks", "csv")
                .with("relay.source.astra.enabled", "true")
                .with("relay.source.astra.service-url", pulsar.serviceUrl())
                .with("relay.source.astra.topic", topics)
                .with("relay.source.astra.auth", "none")
                .with("relay.source.astra.idle-timeout", "1500");
    }

    static List<String> csvIds(RelayRunner relay) {
        return Output.lines(relay.csvDir()).stream().filter(l -> !l.startsWith("id,"))
                .map(l -> l.substring(0, l.indexOf(','))).toList();
    }

    @Test
    void messages_from_two_topics_become_one_event_each_and_malformed_ones_are_dead_lettered_with_topic_and_message_id()
            throws Exception {
        String a = topic();
        String b = topic();
        // subscribe first (the subscription starts at the earliest message anyway)
        send(a, List.of(event("u-1", "db-1"), "not json at all", eventAsString("u-2", "db-2")));
        send(b, List.of(event("u-3", "db-3"), "{\"typename\":\"AuditEvent\"}"));

        RelayRunner relay = relay(dir, a + "," + b);
        relay.runOnce(Duration.ofSeconds(90));

        assertThat(csvIds(relay)).hasSize(3).doesNotHaveDuplicates().allMatch(id -> id.matches("astra:[0-9a-f]{64}"));
        assertThat(Output.lines(relay.csvDir())).anyMatch(l -> l.contains("DB_TERMINATED") && l.contains("db-2"));
        List<JsonNode> dead = Output.jsonFile(relay.dlqFile());
        assertThat(dead).hasSize(2);
        assertThat(dead).anySatisfy(d -> assertThat(d.get("source").asText()).startsWith(a + "/").matches(".*/\\d+:\\d+:-?\\d+.*"));
        assertThat(dead).anySatisfy(d -> assertThat(d.get("source").asText()).startsWith(b + "/"));
        assertThat(dead).allMatch(d -> !d.get("error").asText().isBlank());

        // everything was acknowledged: a second run on a fresh state reads nothing
        RelayRunner again = relay(dir.resolve("again"), a + "," + b);
        again.runOnce(Duration.ofSeconds(90));
        assertThat(csvIds(again)).isEmpty();
    }

    @Test
    void a_relay_frozen_after_delivery_but_before_the_ack_loses_nothing_and_duplicates_nothing() throws Exception {
        String topic = topic();
        List<String> messages = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            messages.add(event("u-" + i, "db-" + i));
        }
        send(topic, messages);

        RelayRunner crashing = HaltingSink.enable(relay(dir, topic), 7);
        crashing.start();
        assertThat(HaltingSink.awaitHalted(60)).isTrue();
        crashing.stop();
        assertThat(csvIds(crashing)).hasSize(8); // the 8th reached the csv sink but was never acknowledged

        RelayRunner restarted = relay(dir, topic);
        restarted.runOnce(Duration.ofSeconds(90));
        assertThat(csvIds(restarted)).hasSize(20).doesNotHaveDuplicates();
    }

    @Test
    void the_same_event_in_the_csv_export_and_on_the_stream_is_delivered_once() throws Exception {
        String topic = topic();
        send(topic, List.of(event("u-1", "db-1")));
        RelayRunner relay = relay(dir, topic).with("relay.inbox.enabled", "true");
        Files.createDirectories(relay.inbox("astra"));
        Files.writeString(relay.inbox("astra").resolve("export.csv"),
                "typename,actionResult,userID,event,eventTime,eventType\n"
                        + "AuditEvent,SUCCESS,u-1,\"{\"\"orgId\"\":\"\"org-1\"\",\"\"databaseId\"\":\"\"db-1\"\",\"\"databaseName\"\":\"\"orders\"\"}\","
                        + "2024-05-02T09:15:32.481Z,DB_CREATED\n");

        relay.runOnce(Duration.ofSeconds(90));

        assertThat(csvIds(relay)).hasSize(1);
        assertThat(relay.inbox("astra").resolve(".done/export.csv")).exists();
    }
}
