package io.auditrelay.spine;

import io.auditrelay.event.Delivery;
import io.auditrelay.event.Headers;
import io.auditrelay.event.SourceRecord;
import io.auditrelay.settings.Settings;
import io.auditrelay.event.Activity;
import io.auditrelay.event.AuditEvent;
import io.auditrelay.event.Outcome;
import io.auditrelay.event.SinkDeliveryException;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

class SinkRulesAndRetriesTest {

    CamelContext context;

    @BeforeEach
    void context() {
        context = new DefaultCamelContext();
        Properties p = new Properties();
        p.put("relay.sink.max-retries", "3");
        p.put("relay.sink.webhook.vendors", "astra, conduktor");
        p.put("relay.sink.webhook.actions", ".*ROLE.*");
        p.put("relay.sink.s3.vendors", "");
        p.put("relay.sink.kafka.max-retries", "1");
        p.put("relay.sink.webhook.max-retries", "0");
        context.getPropertiesComponent().setInitialProperties(p);
    }

    @AfterEach
    void close() throws Exception {
        context.close();
    }

    @Test
    void a_sink_gets_only_its_vendors_and_actions_and_no_rules_means_everything() {
        SinkRules rules = new SinkRules(new Settings(context));
        assertThat(rules.accepts("webhook", "astra", "ROLE_UPDATED")).isTrue();
        assertThat(rules.accepts("webhook", "conduktor", "Admin.ROLE.Grant")).isTrue();
        assertThat(rules.accepts("webhook", "astra", "DB_CREATED")).isFalse();
        assertThat(rules.accepts("webhook", "airkit", "ROLE_UPDATED")).isFalse();
        assertThat(rules.accepts("webhook", "astra", null)).isFalse();
        assertThat(rules.accepts("s3", "airkit", "anything")).isTrue();
        assertThat(rules.accepts("csv", "cockroachdb", null)).isTrue();
    }

    @Test
    void a_sink_route_keeps_the_events_of_the_chunk_its_rules_accept() {
        SinkRules rules = new SinkRules(new Settings(context));
        List<Delivery> chunk = List.of(delivery("astra", "ROLE_UPDATED"), delivery("astra", "DB_CREATED"),
                delivery("airkit", "ROLE_UPDATED"), delivery("conduktor", "Admin.ROLE.Grant"));
        Exchange webhook = new DefaultExchange(context);
        webhook.getMessage().setHeader(Headers.SINK, "webhook");
        webhook.getMessage().setBody(chunk);
        Exchange csv = new DefaultExchange(context);
        csv.getMessage().setHeader(Headers.SINK, "csv");
        csv.getMessage().setBody(chunk);

        rules.select(webhook);
        rules.select(csv);

        assertThat(webhook.getMessage().getBody(List.class)).containsExactly(chunk.get(0), chunk.get(3));
        assertThat(csv.getMessage().getBody(List.class)).isEqualTo(chunk);
    }

    private static Delivery delivery(String vendor, String action) {
        return new Delivery(new AuditEvent(vendor + ":" + action, "2024-06-01T10:00:00Z", "2024-06-01T10:00:01Z", vendor,
                action, Activity.UPDATE, Outcome.SUCCESS, null, null, null, null),
                SourceRecord.unparsable(vendor, "{}", "test", null));
    }

    @Test
    void each_sink_has_its_own_retry_budget_and_a_final_failure_is_not_retried() {
        SinkRetries retries = new SinkRetries(new Settings(context));
        assertThat(attempts(retries, "csv", new RuntimeException("disk full"))).isEqualTo(3);
        assertThat(attempts(retries, "kafka", new RuntimeException("broker down"))).isEqualTo(1);
        assertThat(attempts(retries, "webhook", new RuntimeException("x"))).isZero();
        assertThat(attempts(retries, "csv", new RuntimeException(new SinkDeliveryException("HTTP 400", false, 400, "", null))))
                .isZero();
        assertThat(attempts(retries, "csv", new SinkDeliveryException("HTTP 503", true, 503, "", null))).isEqualTo(3);
    }

    /** How many redeliveries the error handler would make. */
    private int attempts(SinkRetries retries, String sink, Exception error) {
        Exchange exchange = new DefaultExchange(context);
        exchange.getMessage().setHeader(Headers.SINK, sink);
        exchange.setException(error);
        int n = 0;
        while (true) {
            exchange.getMessage().setHeader(Exchange.REDELIVERY_COUNTER, n + 1);
            if (!retries.retry(exchange)) {
                return n;
            }
            n++;
        }
    }
}
