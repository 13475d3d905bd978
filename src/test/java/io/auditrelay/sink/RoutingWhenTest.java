package io.auditrelay.sink;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.auditrelay.aws.S3Access;
import io.auditrelay.event.AuditEvent;
import io.auditrelay.mapper.Json;
import io.auditrelay.testing.KafkaServer;
import io.auditrelay.testing.Output;
import io.auditrelay.testing.RealServers;
import io.auditrelay.testing.RelayRunner;
import io.auditrelay.testing.S3ProxyServer;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * relay.sink.<name>.when on every sink: a Camel simple predicate over the canonical event (outcome, activity, vendor,
 * actor, resource type, action) set in application.properties selects what each sink gets; the same option works
 * on a Kamelet; a predicate that does not parse stops the endpoint from starting.
 */
@ExtendWith(RealServers.class)
class RoutingWhenTest {

    @TempDir
    Path dir;

    @Test
    @Timeout(240)
    void each_sink_gets_the_events_its_predicate_selects(S3ProxyServer s3, KafkaServer kafka) throws Exception {
        String bucket = "when-" + System.nanoTime();
        String topic = "when-" + UUID.randomUUID();
        List<String> bodies = new CopyOnWriteArrayList<>();
        HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        http.createContext("/hook", exchange -> {
            bodies.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        http.start();
        try (S3Client client = new S3Access("us-east-1", s3.httpUrl(), S3ProxyServer.ACCESS_KEY, S3ProxyServer.SECRET_KEY).client()) {
            client.createBucket(b -> b.bucket(bucket));
            RelayRunner relay = RelayRunner.inDir(dir)
                    .with("relay.sinks", "csv,ndjson,s3,kafka,webhook")
                    .with("relay.sink.csv.when", "${body.vendor} == 'airkit'")
                    .with("relay.sink.ndjson.when", "${body.actor.email} ends with '@corp.example'")
                    .with("relay.sink.s3.when", "${body.resource.type} == 'topic'")
                    .with("relay.sink.kafka.when", "${body.action} regex '.*_DELETED' || ${body.activity} == 'logout'")
                    .with("relay.sink.webhook.when", "${body.outcome} == 'failure' && ${body.activity} == 'login'")
                    .with("relay.sink.s3.bucket", bucket)
                    .with("relay.sink.s3.endpoint", s3.httpUrl())
                    .with("relay.sink.s3.access-key", s3.accessKey())
                    .with("relay.sink.s3.secret-key", s3.secretKey())
                    .with("relay.sink.kafka.brokers", kafka.bootstrapServers())
                    .with("relay.sink.kafka.topic", topic)
                    .with("relay.sink.webhook.url", "http://127.0.0.1:" + http.getAddress().getPort() + "/hook")
                    .with("relay.sink.webhook.secret", "whsec_" + Base64.getEncoder().encodeToString(
                            "when-test-key-0123456789abcdef".getBytes(StandardCharsets.UTF_8)));
            write(relay.inbox("airkit").resolve("a.ndjson"),
                    "{\"EVENT_ID\":\"bad-login\",\"EVENT_TIME\":\"2024-05-02 11:00:00\",\"EVENT_TYPE\":\"invalid_login\",\"EMAIL\":\"m@x.example\"}\n"
                    + "{\"EVENT_ID\":\"ok-login\",\"EVENT_TIME\":\"2024-05-02 11:01:00\",\"EVENT_TYPE\":\"user_login\",\"EMAIL\":\"d@corp.example\"}\n"
                    + "{\"EVENT_ID\":\"logout\",\"EVENT_TIME\":\"2024-05-02 11:02:00\",\"EVENT_TYPE\":\"user_logout\",\"EMAIL\":\"d@x.example\"}\n");
            write(relay.inbox("cockroachdb").resolve("c.jsonl"), "{\"id\":\"crdb-login\",\"user_email\":\"ops@x.example\","
                    + "\"action\":\"AUDIT_LOG_ACTION_LOGIN\",\"error\":\"bad password\",\"created_at\":\"2024-05-02T10:00:00Z\"}\n");
            write(relay.inbox("conduktor").resolve("k.jsonl"), "{\"id\":\"topic\",\"time\":\"2024-05-02T12:00:00Z\","
                    + "\"type\":\"topic.Created\",\"source\":\"kafka:/cluster/c/topic/t\",\"data\":{\"user\":\"a@corp.example\"}}\n");
            write(relay.inbox("astra").resolve("d.csv"), "typename,actionResult,userID,event,eventTime,eventType\r\n"
                    + "AuditEvent,SUCCESS,u-1,\"{\"\"databaseId\"\":\"\"db-1\"\"}\",2024-05-02T09:15:32.481Z,DB_DELETED\r\n");

            relay.runOnce(Duration.ofSeconds(120));

            assertThat(ids(Output.lines(relay.csvDir()).stream().filter(l -> !l.startsWith("id,")).map(l -> l.split(",")[0])
                    .toList())).containsExactlyInAnyOrder("airkit:bad-login", "airkit:ok-login", "airkit:logout");
            assertThat(Output.ids(relay.ndjsonDir())).containsExactlyInAnyOrder("airkit:ok-login", "conduktor:topic");
            RelayRunner.await(Duration.ofSeconds(60), () -> !S3ProxyServer.keys(client, bucket).isEmpty());
            List<String> s3Ids = new ArrayList<>();
            for (String key : S3ProxyServer.keys(client, bucket)) {
                for (String line : Output.gunzip(client.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asByteArray()).split("\n")) {
                    s3Ids.add(Json.MAPPER.readTree(line).get("id").asText());
                }
            }
            assertThat(s3Ids).containsExactly("conduktor:topic");
            assertThat(ids(kafka.values(topic, 2))).hasSize(2).contains("airkit:logout")
                    .anySatisfy(id -> assertThat(id).startsWith("astra:"));
            RelayRunner.await(Duration.ofSeconds(30), () -> bodies.size() >= 2);
            assertThat(ids(bodies)).containsExactlyInAnyOrder("airkit:bad-login", "cockroachdb:crdb-login");
            assertThat(Files.exists(relay.dlqFile())).isFalse();
        } finally {
            http.stop(0);
        }
    }

    @Test
    void a_kamelet_takes_the_predicate_and_a_bad_predicate_fails_the_start() throws Exception {
        try (CamelContext context = new DefaultCamelContext()) {
            context.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from("direct:in").to("kamelet:audit-csv-sink?directory=" + dir.resolve("csv")
                            + "&dlqDir=" + dir.resolve("dlq") + "&when=RAW(${body.outcome} == 'failure')");
                }
            });
            context.start();
            context.createProducerTemplate().sendBody("direct:in", List.of(event("e1", "success"), event("e2", "failure")));
        }
        assertThat(Output.lines(dir.resolve("csv"))).hasSize(2).last().asString().startsWith("astra:e2,");

        assertThatThrownBy(() -> {
            try (CamelContext context = new DefaultCamelContext()) {
                context.addRoutes(new RouteBuilder() {
                    @Override
                    public void configure() {
                        from("direct:in").to("audit-ndjson:" + dir.resolve("n") + "?dlqDir=" + dir.resolve("dlq")
                                + "&when=RAW(${body.outcome == )");
                    }
                });
                context.start();
            }
        }).hasStackTraceContaining("body.outcome");
    }

    @Test
    void an_event_the_predicate_fails_on_is_dead_lettered_with_the_reason() throws Exception {
        try (CamelContext context = new DefaultCamelContext()) {
            context.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from("direct:in").to("audit-ndjson:" + dir.resolve("n") + "?dlqDir=" + dir.resolve("dlq")
                            + "&when=RAW(${body.raw.get('nope').asText()} == 'x')");
                }
            });
            context.start();
            context.createProducerTemplate().sendBody("direct:in", List.of(event("e1", "success")));
        }
        assertThat(Output.jsonFile(dir.resolve("dlq/dead-letters.jsonl"))).singleElement().satisfies(entry -> {
            assertThat(entry.get("event").get("id").asText()).isEqualTo("astra:e1");
            assertThat(entry.get("error").asText()).startsWith("the sink's when predicate failed on this event")
                    .doesNotContain("AuditEvent[");
        });
        assertThat(Files.exists(dir.resolve("n")) ? Output.lines(dir.resolve("n")) : List.<String>of()).isEmpty();
    }

    private static AuditEvent event(String id, String outcome) {
        return new AuditEvent("astra:" + id, "2024-05-02T09:15:32.481000Z", "2024-05-02T09:15:33.000000Z", "astra",
                "DB_CREATED", io.auditrelay.event.Activity.CREATE, io.auditrelay.event.Outcome.valueOf(outcome.toUpperCase()),
                null, null, null, Json.MAPPER.createObjectNode());
    }

    /** The canonical ids in JSON texts (one event each), or the texts themselves when they are ids. */
    private static List<String> ids(List<String> texts) {
        return texts.stream().map(t -> {
            if (!t.startsWith("{")) {
                return t;
            }
            try {
                JsonNode node = Json.MAPPER.readTree(t);
                return node.get("id").asText();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }).toList();
    }

    private static void write(Path file, String content) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, content, StandardCharsets.UTF_8);
    }
}
