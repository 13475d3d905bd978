package io.auditrelay.sink.kafka;

import io.auditrelay.event.AuditEvent;
import io.auditrelay.mapper.Json;
import io.auditrelay.spine.DeadLetterStore;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.support.DefaultHeaderFilterStrategy;

/**
 * Prepares the Kafka record for the camel-kafka producer of routes/sink-kafka.yaml: key = the canonical id
 * (one event always lands in one partition), value = the canonical JSON, and CloudEvents Kafka binary-mode
 * headers ({@code ce_specversion}, {@code ce_id}, {@code ce_source}, {@code ce_type}, {@code ce_time},
 * {@code content-type}). Only those headers reach Kafka ({@link #headerFilter()}); the relay's own headers stay
 * on the exchange for the dead-letter store. The event itself is kept in exchange property
 * {@link DeadLetterStore#EVENT} so a failed send is dead-lettered with its canonical event (replayable to this sink).
 */
public class KafkaSink {

    public static final String NAME = "kafka";

    public void prepare(Exchange exchange) throws Exception {
        Message message = exchange.getMessage();
        AuditEvent event = message.getBody(AuditEvent.class);
        exchange.setProperty(DeadLetterStore.EVENT, event);
        message.setHeader(KafkaConstants.KEY, event.id());
        message.setHeader("ce_specversion", "1.0");
        message.setHeader("ce_id", event.id());
        message.setHeader("ce_source", "audit-relay/" + event.vendor());
        message.setHeader("ce_type", "audit." + event.vendor() + "." + event.action());
        message.setHeader("ce_time", event.time());
        message.setHeader("content-type", "application/json");
        message.setBody(Json.MAPPER.writeValueAsString(event));
    }

    /** Lets only the CloudEvents headers through to the Kafka record. */
    public static DefaultHeaderFilterStrategy headerFilter() {
        DefaultHeaderFilterStrategy filter = new DefaultHeaderFilterStrategy() {
            @Override
            public boolean applyFilterToCamelHeaders(String name, Object value, Exchange exchange) {
                return !(name.startsWith("ce_") || name.equals("content-type"));
            }
        };
        return filter;
    }
}
