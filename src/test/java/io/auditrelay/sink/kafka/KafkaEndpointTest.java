package io.auditrelay.sink.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import io.auditrelay.event.AuditEvent;
import io.auditrelay.mapper.Json;
import io.auditrelay.testing.KafkaServer;
import io.auditrelay.testing.Output;
import io.auditrelay.testing.RealServers;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A Pipe-style route to audit-kafka: what the broker took is acked before the producer returns; a send refused through
 * the retry budget is dead-lettered with the events after it (as the spine's sink routes did: the rest of the chunk).
 */
@ExtendWith(RealServers.class)
class KafkaEndpointTest {

    @TempDir
    Path dir;

    private static AuditEvent event(String id, int padding) {
        return new AuditEvent(id, "2024-05-02T09:15:32.481Z", "2024-05-02T09:15:33Z", "astra", "DB_CREATED", null, null,
                null, null, null, Json.MAPPER.createObjectNode().put("pad", "x".repeat(padding)));
    }

    @Test
    @Timeout(120)
    void after_the_retry_budget_the_events_the_sink_had_not_accepted_are_dead_lettered_with_the_reason(KafkaServer kafka)
            throws Exception {
        String topic = "endpoint-" + UUID.randomUUID();
        try (CamelContext context = new DefaultCamelContext()) {
            context.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from("direct:unit").to("audit-kafka:" + topic + "?brokers=" + kafka.bootstrapServers()
                            + "&kafka.max.request.size=2000&maxRetries=1&retryDelay=10&dlqDir=" + dir);
                }
            });
            context.start();

            Exchange unit = context.createProducerTemplate().send("direct:unit", e -> e.getMessage().setBody(
                    List.of(event("astra:small1", 10), event("astra:big", 5000), event("astra:small2", 10))));

            assertThat(unit.getException()).isNull();
        }
        List<ConsumerRecord<String, String>> records = KafkaSinkTest.consume(kafka, topic, 1);
        assertThat(records).extracting(ConsumerRecord::key).containsExactly("astra:small1");
        List<JsonNode> dead = Output.jsonFile(dir.resolve("dead-letters.jsonl"));
        assertThat(dead).extracting(d -> d.get("event").get("id").asText()).containsExactly("astra:big", "astra:small2");
        assertThat(dead).allSatisfy(d -> {
            assertThat(d.get("sink").asText()).isEqualTo("kafka");
            assertThat(d.get("error").asText()).containsIgnoringCase("max.request.size");
        });
    }

    @Test
    @Timeout(120)
    void with_a_linger_of_a_minute_the_unit_still_ends_when_its_records_are_acked_not_after_the_linger(KafkaServer kafka)
            throws Exception {
        String topic = "linger-" + UUID.randomUUID();
        long took;
        try (CamelContext context = new DefaultCamelContext()) {
            context.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from("direct:unit").to("audit-kafka:" + topic + "?brokers=" + kafka.bootstrapServers()
                            + "&lingerMs=60000&dlqDir=" + dir);
                }
            });
            context.start();
            long start = System.nanoTime();
            Exchange unit = context.createProducerTemplate().send("direct:unit", e -> e.getMessage().setBody(
                    List.of(event("astra:a", 10), event("astra:b", 10))));
            took = java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertThat(unit.getException()).isNull();
        }
        // the unit's flush made the producer send what it held instead of waiting out the linger
        assertThat(took).isLessThan(30_000);
        assertThat(KafkaSinkTest.consume(kafka, topic, 2)).extracting(ConsumerRecord::key)
                .containsExactlyInAnyOrder("astra:a", "astra:b");
    }
}
