package io.auditrelay.sink.kafka;

import io.auditrelay.event.AuditEvent;
import io.auditrelay.testing.KafkaServer;
import io.auditrelay.testing.RealServers;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(RealServers.class)
class KafkaKameletTest {

    @Test
    @Timeout(120)
    void the_kafka_kamelet_sends_a_keyed_record_with_cloudevents_headers(KafkaServer kafka) throws Exception {
        String topic = "kamelet-" + UUID.randomUUID();
        try (CamelContext context = new DefaultCamelContext()) {
            context.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from("direct:in").to("kamelet:audit-kafka-sink?bootstrapServers=" + kafka.bootstrapServers() + "&topic=" + topic);
                }
            });
            context.start();
            context.createProducerTemplate().sendBodyAndHeaders("direct:in", new AuditEvent("astra:e1", "2024-05-02T09:15:32.481Z",
                    "2024-05-02T09:15:33Z", "astra", "DB_CREATED", null, null, null, null, null, null),
                    Map.of("relayEventId", "astra:e1", "relayVendor", "astra", "relayAction", "DB_CREATED"));
        }
        List<ConsumerRecord<String, String>> records = KafkaSinkTest.consume(kafka, topic, 1);
        assertThat(records).singleElement().satisfies(r -> {
            assertThat(r.key()).isEqualTo("astra:e1");
            assertThat(r.value()).contains("\"id\":\"astra:e1\"");
            Map<String, String> headers = new HashMap<>();
            for (Header h : r.headers()) {
                headers.put(h.key(), new String(h.value(), StandardCharsets.UTF_8));
            }
            assertThat(headers).containsOnly(Map.entry("ce_specversion", "1.0"), Map.entry("ce_id", "astra:e1"),
                    Map.entry("ce_source", "audit-relay/astra"), Map.entry("ce_type", "audit.astra.DB_CREATED"),
                    Map.entry("ce_time", "2024-05-02T09:15:32.481Z"), Map.entry("content-type", "application/json"));
        });
    }
}
