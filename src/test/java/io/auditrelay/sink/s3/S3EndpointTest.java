package io.auditrelay.sink.s3;

import com.fasterxml.jackson.databind.JsonNode;
import io.auditrelay.aws.S3Access;
import io.auditrelay.testing.Output;
import io.auditrelay.testing.RealServers;
import io.auditrelay.testing.RelayRunner;
import io.auditrelay.testing.S3ProxyServer;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Pipe-style routes to audit-s3: a bucket that is missing and then appears is written once; after the budget, dead letters. */
@ExtendWith(RealServers.class)
class S3EndpointTest {

    @TempDir
    Path dir;

    private String uri(String endpoint, String bucket, int maxRetries, int retryDelay) {
        return "audit-s3:" + bucket + "?endpoint=RAW(" + endpoint + ")&accessKey=RAW(" + S3ProxyServer.ACCESS_KEY + ")"
                + "&secretKey=RAW(" + S3ProxyServer.SECRET_KEY + ")&prefix=pipe&batchSize=2&maxRetries=" + maxRetries
                + "&retryDelay=" + retryDelay + "&spoolDir=" + dir.resolve("spool") + "&dlqDir=" + dir.resolve("dlq");
    }

    private static CamelContext route(String uri) throws Exception {
        CamelContext context = new DefaultCamelContext();
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:unit").to(uri);
            }
        });
        context.start();
        return context;
    }

    @Test
    @Timeout(90)
    void a_missing_bucket_that_appears_later_gets_the_batch_once_and_the_unit_is_acknowledged_from_the_spool(
            S3ProxyServer s3) throws Exception {
        String bucket = "pipe-" + System.nanoTime();
        try (S3Client client = new S3Access("us-east-1", s3.httpUrl(), S3ProxyServer.ACCESS_KEY, S3ProxyServer.SECRET_KEY).client();
             CamelContext context = route(uri(s3.httpUrl(), bucket, 30, 100))) {
            Exchange unit = context.createProducerTemplate().send("direct:unit", e -> e.getMessage().setBody(List.of(
                    S3SinkTest.event("p1", "2024-06-01T10:00:00Z"), S3SinkTest.event("p2", "2024-06-01T10:00:01Z"))));
            assertThat(unit.getException()).as("durable in the spool: the unit may be acknowledged").isNull();

            client.createBucket(b -> b.bucket(bucket));
            List<String> keys = S3SinkTest.awaitKeys(client, bucket, 1, Duration.ofSeconds(60));

            assertThat(keys).singleElement().satisfies(key -> {
                assertThat(key).startsWith("pipe/vendor=airkit/dt=2024-06-01/hour=10/");
                assertThat(S3SinkTest.awaitEvents(client, bucket, key)).extracting(e -> e.get("id").asText())
                        .containsExactly("airkit:p1", "airkit:p2");
            });
            assertThat(Files.exists(dir.resolve("dlq/dead-letters.jsonl"))).isFalse();
        }
    }

    @Test
    @Timeout(60)
    void after_the_retry_budget_the_batch_is_dead_lettered_with_the_sink_name() throws Exception {
        String closed = "http://127.0.0.1:" + S3ProxyServer.freePort();
        try (CamelContext context = route(uri(closed, "nowhere", 1, 10))) {
            Exchange unit = context.createProducerTemplate().send("direct:unit", e -> e.getMessage().setBody(List.of(
                    S3SinkTest.event("x1", "2024-06-01T10:00:00Z"), S3SinkTest.event("x2", "2024-06-01T10:00:01Z"))));
            assertThat(unit.getException()).isNull();

            Path store = dir.resolve("dlq/dead-letters.jsonl");
            RelayRunner.await(Duration.ofSeconds(45), () -> Files.exists(store) && Output.jsonFile(store).size() == 2);
            List<JsonNode> dead = Output.jsonFile(store);
            assertThat(dead).extracting(d -> d.get("event").get("id").asText()).containsExactlyInAnyOrder("airkit:x1", "airkit:x2");
            assertThat(dead).allSatisfy(d -> assertThat(d.get("sink").asText()).isEqualTo("s3"));
        }
    }

}
