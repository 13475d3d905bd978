package io.auditrelay.sink;

import io.auditrelay.event.EventSink;
import io.auditrelay.event.SinkDeliveryException;
import com.fasterxml.jackson.databind.JsonNode;
import io.auditrelay.event.AuditEvent;
import io.auditrelay.mapper.Json;
import io.auditrelay.sink.kafka.KafkaSinkEndpoint;
import io.auditrelay.sink.s3.S3SinkEndpoint;
import io.auditrelay.sink.webhook.WebhookSinkEndpoint;
import io.auditrelay.spine.DeadLetterStore;
import io.auditrelay.event.Delivery;
import io.auditrelay.event.Headers;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.util.URISupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/** The sink endpoints: options bound, secrets masked, and the shared producer (rules, groups, retries, dead letters, flush). */
class SinkEndpointTest {

    @TempDir
    Path dir;

    private final CamelContext context = new DefaultCamelContext();

    @AfterEach
    void close() throws Exception {
        context.close();
    }

    @Test
    void every_option_is_bound_from_the_uri() {
        // the context is not started: the endpoints are only created, their engines not built
        CsvSinkEndpoint csv = context.getEndpoint("audit-csv:" + dir.resolve("csv")
                + "?vendors=astra,airkit&actions=RAW(ROLE_.*)&maxRetries=7&retryDelay=20&dlqDir=" + dir.resolve("dlq"),
                CsvSinkEndpoint.class);
        assertThat(csv.getDirectory()).isEqualTo(dir.resolve("csv").toString());
        assertThat(csv.getVendors()).isEqualTo("astra,airkit");
        assertThat(csv.getActions()).isEqualTo("ROLE_.*");
        assertThat(csv.getMaxRetries()).isEqualTo(7);
        assertThat(csv.getRetryDelay()).isEqualTo(20);
        assertThat(csv.getDlqDir()).isEqualTo(dir.resolve("dlq").toString());

        KafkaSinkEndpoint kafka = context.getEndpoint("audit-kafka:audit-out?brokers=b1:9092,b2:9092&lingerMs=0"
                + "&batchBytes=1024&kafka.security.protocol=SASL_SSL&saslJaasConfig=RAW(x required password=\"p\";)",
                KafkaSinkEndpoint.class);
        assertThat(kafka.getTopic()).isEqualTo("audit-out");
        assertThat(kafka.getBrokers()).isEqualTo("b1:9092,b2:9092");
        assertThat(kafka.getLingerMs()).isZero();
        assertThat(kafka.getBatchBytes()).isEqualTo(1024);
        assertThat(kafka.getKafkaProperties()).containsExactly(Map.entry("security.protocol", "SASL_SSL"));
        assertThat(kafka.getSaslJaasConfig()).isEqualTo("x required password=\"p\";");
        assertThat(kafka.getMaxRetries()).isEqualTo(3);

        S3SinkEndpoint s3 = context.getEndpoint("audit-s3:my-bucket?prefix=relay&region=eu-west-1"
                + "&endpoint=RAW(http://127.0.0.1:9000)&batchSize=5&batchInterval=1000&spoolDir=" + dir.resolve("spool"),
                S3SinkEndpoint.class);
        assertThat(s3.getBucket()).isEqualTo("my-bucket");
        assertThat(s3.getPrefix()).isEqualTo("relay");
        assertThat(s3.getRegion()).isEqualTo("eu-west-1");
        assertThat(s3.getEndpoint()).isEqualTo("http://127.0.0.1:9000");
        assertThat(s3.getBatchSize()).isEqualTo(5);
        assertThat(s3.getBatchInterval()).isEqualTo(1000);
        assertThat(s3.getSpoolDir()).isEqualTo(dir.resolve("spool").toString());
        assertThat(s3.getMaxRetries()).as("the S3 sink's own default budget").isEqualTo(8);
        assertThat(s3.getRetryDelay()).isEqualTo(1000);

        WebhookSinkEndpoint webhook = context.getEndpoint("audit-webhook:https://hooks.example.com:8443/audit/in"
                + "?batchSize=50&batchInterval=100&timeout=2000&backoff=10&maxBackoff=20&header.X-Api-Key=k1",
                WebhookSinkEndpoint.class);
        assertThat(webhook.getUrl()).isEqualTo("https://hooks.example.com:8443/audit/in");
        assertThat(webhook.getBatchSize()).isEqualTo(50);
        assertThat(webhook.getBatchInterval()).isEqualTo(100);
        assertThat(webhook.getTimeout()).isEqualTo(2000);
        assertThat(webhook.getBackoff()).isEqualTo(10);
        assertThat(webhook.getMaxBackoff()).isEqualTo(20);
        assertThat(webhook.getHeaders()).containsExactly(Map.entry("X-Api-Key", "k1"));
    }

    @Test
    void secret_options_are_masked_in_the_logged_uri() {
        context.start();
        var s3 = context.getEndpoint("audit-s3:b?accessKey=AKIDSECRET1&secretKey=TOPSECRET2&spoolDir=" + dir);
        var webhook = context.getEndpoint("audit-webhook:http://127.0.0.1:1/h?secret=RAW(whsec_TOPSECRET3)");
        var kafka = context.getEndpoint("audit-kafka:t?saslJaasConfig=RAW(TOPSECRET4)");
        for (var endpoint : List.of(s3, webhook, kafka)) {
            assertThat(endpoint.toString()).doesNotContain("SECRET");
            assertThat(URISupport.sanitizeUri(endpoint.getEndpointUri())).doesNotContain("SECRET");
        }
        assertThat(context.getCamelContextExtension().getEndpointUriFactory("audit-s3").secretPropertyNames())
                .contains("accessKey", "secretKey");
        assertThat(context.getCamelContextExtension().getEndpointUriFactory("audit-webhook").secretPropertyNames())
                .contains("secret");
        assertThat(context.getCamelContextExtension().getEndpointUriFactory("audit-kafka").secretPropertyNames())
                .contains("saslJaasConfig");
    }

    /** A sink engine that fails the first {@code failures} groups, then accepts; counts flushes. */
    static final class FlakySink implements EventSink {
        final List<String> accepted = new CopyOnWriteArrayList<>();
        final List<Integer> groups = new CopyOnWriteArrayList<>();
        volatile int failures;
        volatile Exception failure = new IllegalStateException("sink down");
        volatile int flushes;

        @Override
        public String name() {
            return "flaky";
        }

        @Override
        public void accept(AuditEvent event) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void acceptAll(List<Delivery> group, Exchange chunk) throws Exception {
            groups.add(group.size());
            if (failures != 0) {
                failures--;
                throw failure;
            }
            group.forEach(d -> accepted.add(d.event().id()));
        }

        @Override
        public int groupSize() {
            return 2;
        }

        @Override
        public void flush() {
            flushes++;
        }
    }

    /** An endpoint of the shared base class around {@link FlakySink} (the base is what every sink endpoint uses). */
    static final class FlakyEndpoint extends SinkEndpoint {
        final FlakySink sink = new FlakySink();

        FlakyEndpoint(String uri) {
            super(uri, null);
        }

        @Override
        protected EventSink createSink(DeadLetterStore deadLetters) {
            return sink;
        }
    }

    private FlakyEndpoint flaky(int maxRetries, String vendors, String actions) throws Exception {
        FlakyEndpoint endpoint = new FlakyEndpoint("flaky://test");
        endpoint.setCamelContext(context);
        endpoint.setMaxRetries(maxRetries);
        endpoint.setRetryDelay(10);
        endpoint.setVendors(vendors);
        endpoint.setActions(actions);
        endpoint.setDlqDir(dir.resolve("dlq").toString());
        context.addEndpoint("flaky://test", endpoint);
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:unit").to("flaky://test");
            }
        });
        context.start();
        return endpoint;
    }

    private static AuditEvent event(int i, String vendor, String action) {
        return new AuditEvent(vendor + ":e" + i, "2024-06-01T10:00:0" + (i % 10) + "Z", "2026-01-01T00:00:00Z", vendor,
                action, null, null, null, null, null, null);
    }

    private static List<AuditEvent> events(int n) {
        return IntStream.rangeClosed(1, n).mapToObj(i -> event(i, "astra", "DB_CREATED")).toList();
    }

    private List<JsonNode> deadLetters() {
        return new DeadLetterStore(dir.resolve("dlq"), Clock.systemUTC(), null).entries();
    }

    @Test
    void a_failing_then_recovering_sink_is_retried_from_where_it_stopped_and_gets_each_event_once() throws Exception {
        FlakyEndpoint endpoint = flaky(3, null, null);
        endpoint.sink.failures = 2;

        Exchange done = context.createProducerTemplate().send("direct:unit", e -> e.getMessage().setBody(events(5)));

        assertThat(done.getException()).isNull();
        assertThat(endpoint.sink.accepted).containsExactly("astra:e1", "astra:e2", "astra:e3", "astra:e4", "astra:e5");
        assertThat(endpoint.sink.groups).containsExactly(2, 2, 2, 2, 1);
        assertThat(endpoint.sink.flushes).as("flushed before the producer returned").isEqualTo(1);
        assertThat(deadLetters()).isEmpty();
    }

    @Test
    void after_the_retry_budget_the_events_the_sink_had_not_accepted_are_dead_lettered_and_the_unit_goes_on()
            throws Exception {
        FlakyEndpoint endpoint = flaky(2, null, null);
        endpoint.sink.failure = new IllegalStateException("bucket unreachable");
        List<AuditEvent> events = events(5);
        endpoint.sink.failures = -1;

        Exchange done = context.createProducerTemplate().send("direct:unit", e -> {
            e.getMessage().setHeader(Headers.LOCATION, "s3://in/unit-2.ndjson");
            e.getMessage().setBody(events.iterator());
        });

        assertThat(done.getException()).isNull();
        assertThat(endpoint.sink.groups).as("first try and 2 retries").containsExactly(2, 2, 2);
        List<JsonNode> dead = deadLetters();
        assertThat(dead).extracting(d -> d.get("event").get("id").asText())
                .containsExactly("astra:e1", "astra:e2", "astra:e3", "astra:e4", "astra:e5");
        assertThat(dead).allSatisfy(d -> {
            assertThat(d.get("sink").asText()).isEqualTo("flaky");
            assertThat(d.get("error").asText()).isEqualTo("bucket unreachable");
            assertThat(d.get("source").asText()).isEqualTo("s3://in/unit-2.ndjson");
        });
    }

    @Test
    void a_group_refused_for_good_is_dead_lettered_at_once_and_the_rest_delivered() throws Exception {
        FlakyEndpoint endpoint = flaky(5, null, null);
        endpoint.sink.failure = new SinkDeliveryException("HTTP 400", false, 400, "bad", null);
        endpoint.sink.failures = 1;

        Exchange done = context.createProducerTemplate().send("direct:unit", e -> e.getMessage().setBody(events(3)));

        assertThat(done.getException()).isNull();
        assertThat(endpoint.sink.groups).containsExactly(2, 1);
        assertThat(endpoint.sink.accepted).containsExactly("astra:e3");
        assertThat(deadLetters()).extracting(d -> d.get("status").asInt()).containsExactly(400, 400);
    }

    @Test
    void routing_rules_and_every_body_shape_a_pipe_or_the_spine_sends() throws Exception {
        FlakyEndpoint endpoint = flaky(0, "astra, conduktor", ".*ROLE.*");
        var template = context.createProducerTemplate();

        template.sendBody("direct:unit", event(1, "astra", "ROLE_UPDATED"));
        template.sendBody("direct:unit", Json.MAPPER.writeValueAsString(event(2, "conduktor", "Admin.ROLE.Grant")));
        template.sendBody("direct:unit", List.of(event(3, "astra", "DB_CREATED"), event(4, "airkit", "ROLE_UPDATED"),
                event(5, "astra", "ROLE_DELETED")));
        template.send("direct:unit", e -> {
            e.setProperty(SinkProducer.FLUSH_LATER, true); // the spine's chunk, flushed at the end of its unit
            e.getMessage().setBody(List.of(new Delivery(event(6, "conduktor", "ROLE_X"), null)));
        });

        assertThat(endpoint.sink.accepted).containsExactly("astra:e1", "conduktor:e2", "astra:e5", "conduktor:e6");
        assertThat(endpoint.sink.flushes).isEqualTo(3);
    }

    @Test
    void a_sink_without_its_target_fails_its_start_with_a_clear_sentence() {
        context.start();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> context.getEndpoint("audit-s3:?prefix=x&spoolDir=" + dir))
                .hasStackTraceContaining("relay.sink.s3.bucket");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> context.getEndpoint("audit-webhook:?batchSize=1"))
                .hasStackTraceContaining("relay.sink.webhook.url is not set");
    }
}
