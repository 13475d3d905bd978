package io.auditrelay.source.conduktor;

import com.fasterxml.jackson.databind.JsonNode;
import io.auditrelay.testing.KafkaServer;
import io.auditrelay.testing.Output;
import io.auditrelay.testing.RelayRunner;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Conduktor events in the forms the doc shows, through a real Kafka broker and the relay: a console {@code user.Login}
 * whose only user is its CRN, a binary-mode CloudEvent whose actor is the auth context extension and whose resource
 * name is the {@code subject}, and {@code registry.ChangedGlobalCompat} on a SchemaRegistry.
 */
class ConduktorDocumentedEventsKafkaTest {

    private static KafkaServer kafka;

    @TempDir
    Path dir;

    @BeforeAll
    static void broker() {
        kafka = KafkaServer.shared();
    }

    private static ProducerRecord<String, String> console(String topic, String id, String type, String crn) {
        return new ProducerRecord<>(topic, "{\"specversion\":\"1.0\",\"id\":\"" + id + "\",\"source\":\"" + crn + "\",\"type\":\""
                + type + "\",\"time\":\"2024-10-13T08:00:00Z\",\"datacontenttype\":\"application/json\",\"data\":{}}");
    }

    private static void send(List<ProducerRecord<String, String>> records) throws Exception {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName(),
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName()))) {
            for (ProducerRecord<String, String> record : records) {
                producer.send(record).get();
            }
        }
    }

    @Test
    void the_actor_and_resource_of_documented_events_reach_the_sink() throws Exception {
        String topic = "conduktor-doc-" + UUID.randomUUID();
        ProducerRecord<String, String> binary = new ProducerRecord<>(topic, null,
                "{\"eventType\":\"Kafka.Subject.Update\",\"metadata\":{\"cluster\":\"production\"}}");
        Map.of("ce_specversion", "1.0", "ce_id", "bin-1", "ce_source", "//kafka/kafkacluster/production",
                        "ce_type", "AuditLogEventType(Kafka,Subject,Update)", "ce_time", "2024-10-13T09:00:00Z",
                        "ce_subject", "orders-value", "ce_authtype", "user", "ce_authid", "erin@example.com",
                        "content-type", "application/json")
                .forEach((k, v) -> binary.headers().add(k, v.getBytes(StandardCharsets.UTF_8)));
        send(List.of(
                console(topic, "login-1", "user.Login", "platform:/user/carol@example.com"),
                console(topic, "compat-1", "registry.ChangedGlobalCompat", "kafka:/cluster/8d2f1a3c"),
                binary));

        RelayRunner relay = RelayRunner.inDir(dir)
                .with("relay.inbox.enabled", "false")
                .with("relay.sinks", "ndjson")
                .with("relay.source.conduktor.enabled", "true")
                .with("relay.source.conduktor.brokers", kafka.bootstrapServers())
                .with("relay.source.conduktor.topic", topic)
                .with("relay.source.conduktor.group-id", "g-" + UUID.randomUUID())
                .with("relay.source.conduktor.poll-timeout", "200");
        relay.runOnce(Duration.ofSeconds(90));

        Map<String, JsonNode> events = Output.json(relay.ndjsonDir()).stream()
                .collect(Collectors.toMap(e -> e.get("id").asText(), Function.identity()));
        assertThat(events).containsOnlyKeys("conduktor:login-1", "conduktor:compat-1", "conduktor:bin-1");

        JsonNode login = events.get("conduktor:login-1");
        assertThat(login.get("activity").asText()).isEqualToIgnoringCase("login");
        assertThat(login.at("/actor/id").asText()).isEqualTo("carol@example.com");
        assertThat(login.at("/actor/email").asText()).isEqualTo("carol@example.com");
        assertThat(login.at("/resource/type").asText()).isEqualTo("user");

        JsonNode compat = events.get("conduktor:compat-1");
        assertThat(compat.at("/resource/type").asText()).isEqualTo("schema_registry");
        assertThat(compat.at("/resource/id").asText()).isEqualTo("kafka:/cluster/8d2f1a3c");

        JsonNode binaryEvent = events.get("conduktor:bin-1");
        assertThat(binaryEvent.at("/actor/id").asText()).isEqualTo("erin@example.com");
        assertThat(binaryEvent.at("/resource/name").asText()).isEqualTo("orders-value");
    }
}
