package io.auditrelay.sink.webhook;

import io.auditrelay.event.AuditEvent;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class WebhookKameletTest {

    @Test
    @Timeout(60)
    void the_webhook_kamelet_posts_a_signed_event() throws Exception {
        try (WebhookReceiver receiver = new WebhookReceiver(WebhookSinkTest.SECRET);
             CamelContext context = new DefaultCamelContext()) {
            context.getPropertiesComponent().setInitialProperties(new java.util.Properties() {{
                put("hook.url", receiver.url().toString());
                put("hook.secret", WebhookSinkTest.SECRET);
            }});
            context.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from("direct:in").to("kamelet:audit-webhook-sink?url={{hook.url}}&secret=RAW({{hook.secret}})");
                }
            });
            context.start();
            context.createProducerTemplate().sendBodyAndHeaders("direct:in", new AuditEvent("astra:e1", "2024-05-02T09:15:32.481Z",
                    "2024-05-02T09:15:33Z", "astra", "DB_CREATED", null, null, null, null, null, null),
                    Map.of("relayEventId", "astra:e1", "relayVendor", "astra"));
            assertThat(receiver.requests).singleElement().satisfies(r -> {
                assertThat(r.signatureValid()).isTrue();
                assertThat(r.id()).isEqualTo("astra:e1");
                assertThat(r.headers().keySet()).noneMatch(h -> h.toLowerCase().startsWith("relay"));
            });
            assertThat(receiver.delivered).containsExactly("astra:e1");
        }
    }
}
