package io.auditrelay.spine.normalize;

import com.fasterxml.jackson.databind.JsonNode;
import io.auditrelay.event.AuditEvent;
import io.auditrelay.event.SourceRecord;
import io.auditrelay.spine.DeadLetterStore;
import io.auditrelay.spine.Normalizer;
import io.auditrelay.testing.Output;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The audit-normalize endpoint's redact option (a Pipe's redaction step): events and dead letters are redacted. */
class NormalizeRedactTest {

    @TempDir
    Path dir;

    @Test
    @SuppressWarnings("unchecked")
    void a_pipe_redacts_events_and_dead_letters_with_its_rules_and_the_defaults() throws Exception {
        try (CamelContext context = new DefaultCamelContext()) {
            context.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from("direct:unit").to("audit-normalize:conduktor?stateDir=" + dir.resolve("state") + "&dlqDir="
                            + dir.resolve("dlq") + "&redact=RAW($.data.metadata.internalNote=drop)");
                }
            });
            context.start();
            List<SourceRecord> unit = List.of(
                    Normalizer.parse("conduktor", "{\"id\":\"c1\",\"time\":\"2024-05-02T12:00:00Z\",\"type\":\"topic.Created\","
                            + "\"data\":{\"token\":\"tok-123\",\"metadata\":{\"internalNote\":\"n-1\",\"name\":\"t\"}}}", "u #1"),
                    Normalizer.parse("conduktor", "{\"id\":\"c2\",\"secret\":\"sec-456\"}", "u #2"));

            Exchange done = context.createProducerTemplate().send("direct:unit", e -> e.getMessage().setBody(unit));

            assertThat(done.getException()).isNull();
            List<AuditEvent> events = done.getMessage().getBody(List.class);
            assertThat(events).singleElement().satisfies(event -> {
                JsonNode data = event.raw().get("data");
                assertThat(data.get("token").asText()).isEqualTo("[REDACTED]");
                assertThat(data.get("metadata").has("internalNote")).isFalse();
                assertThat(data.get("metadata").get("name").asText()).isEqualTo("t");
            });
            assertThat(Output.jsonFile(dir.resolve("dlq").resolve(DeadLetterStore.FILE_NAME))).singleElement()
                    .satisfies(entry -> assertThat(entry.get("raw").asText())
                            .isEqualTo("{\"id\":\"c2\",\"secret\":\"[REDACTED]\"}"));
        }
    }
}
