package io.auditrelay.sink.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import io.auditrelay.event.AuditEvent;
import io.auditrelay.spine.DeadLetterStore;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** A Pipe-style route to audit-webhook: a failing then recovering receiver is retried; after the budget, dead letters. */
class WebhookEndpointTest {

    @TempDir
    Path dir;

    private static AuditEvent event(String id) {
        return new AuditEvent(id, "2024-05-02T09:15:32.481Z", "2024-05-02T09:15:33Z", "astra", "DB_CREATED", null, null,
                null, null, null, null);
    }

    @Test
    @Timeout(60)
    void a_failing_then_recovering_receiver_is_retried_and_after_the_budget_the_event_is_dead_lettered() throws Exception {
        try (WebhookReceiver receiver = new WebhookReceiver(WebhookSinkTest.SECRET);
             CamelContext context = new DefaultCamelContext()) {
            AtomicInteger down = new AtomicInteger(2);
            receiver.answer(r -> down.getAndDecrement() > 0 ? new WebhookReceiver.Answer(503, "down", Map.of())
                    : WebhookReceiver.Answer.ok());
            context.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from("direct:unit").to("audit-webhook:" + receiver.url() + "?secret=RAW(" + WebhookSinkTest.SECRET + ")"
                            + "&maxRetries=2&backoff=20&maxBackoff=50&dlqDir=" + dir);
                }
            });
            context.start();

            Exchange first = context.createProducerTemplate().send("direct:unit",
                    e -> e.getMessage().setBody(List.of(event("astra:e1"), event("astra:e2"))));

            assertThat(first.getException()).isNull();
            assertThat(receiver.statuses).containsExactly(503, 503, 200, 200);
            assertThat(receiver.delivered).containsExactly("astra:e1", "astra:e2");
            assertThat(receiver.requests).allSatisfy(r -> assertThat(r.signatureValid()).isTrue());

            receiver.answer(r -> new WebhookReceiver.Answer(503, "still down", Map.of()));
            Exchange second = context.createProducerTemplate().send("direct:unit", e -> e.getMessage().setBody(event("astra:e3")));

            assertThat(second.getException()).as("dead-lettered, so the unit goes on").isNull();
            assertThat(receiver.statuses).containsExactly(503, 503, 200, 200, 503, 503, 503);
            List<JsonNode> dead = new DeadLetterStore(dir, Clock.systemUTC(), null).entries();
            assertThat(dead).singleElement().satisfies(d -> {
                assertThat(d.get("event").get("id").asText()).isEqualTo("astra:e3");
                assertThat(d.get("sink").asText()).isEqualTo("webhook");
                assertThat(d.get("status").asInt()).isEqualTo(503);
                assertThat(d.get("response").asText()).isEqualTo("still down");
            });
        }
    }

    @Test
    @Timeout(60)
    void the_webhook_kamelet_gets_the_endpoint_retries_and_dead_letters_in_a_pipe() throws Exception {
        try (WebhookReceiver receiver = new WebhookReceiver(WebhookSinkTest.SECRET);
             CamelContext context = new DefaultCamelContext()) {
            AtomicInteger down = new AtomicInteger(1);
            receiver.answer(r -> r.eventIds().contains("astra:bad") ? new WebhookReceiver.Answer(400, "no", Map.of())
                    : down.getAndDecrement() > 0 ? new WebhookReceiver.Answer(503, "down", Map.of())
                    : WebhookReceiver.Answer.ok());
            context.getPropertiesComponent().setInitialProperties(new java.util.Properties() {{
                put("hook.url", receiver.url().toString());
                put("hook.secret", WebhookSinkTest.SECRET);
                put("hook.dlq", dir.toString());
            }});
            context.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    // what audit-normalize-action hands the sink Kamelet: the unit's events as a list
                    from("direct:unit").to("kamelet:audit-webhook-sink?url={{hook.url}}&secret=RAW({{hook.secret}})"
                            + "&maxRetries=2&dlqDir={{hook.dlq}}");
                }
            });
            context.start();

            Exchange unit = context.createProducerTemplate().send("direct:unit", e -> e.getMessage().setBody(
                    List.of(event("astra:e1"), event("astra:bad"), event("astra:e2"))));

            assertThat(unit.getException()).isNull();
            assertThat(receiver.delivered).containsExactly("astra:e1", "astra:e2");
            assertThat(receiver.statuses).containsExactly(503, 200, 400, 200);
            assertThat(new DeadLetterStore(dir, Clock.systemUTC(), null).entries()).singleElement().satisfies(d -> {
                assertThat(d.get("event").get("id").asText()).isEqualTo("astra:bad");
                assertThat(d.get("status").asInt()).isEqualTo(400);
            });
        }
    }
}
