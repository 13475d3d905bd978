package io.auditrelay.redact;

import com.sun.net.httpserver.HttpServer;
import io.auditrelay.aws.S3Access;
import io.auditrelay.testing.KafkaServer;
import io.auditrelay.testing.Output;
import io.auditrelay.testing.RealServers;
import io.auditrelay.testing.RelayRunner;
import io.auditrelay.testing.S3ProxyServer;
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
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Payloads holding tokens and secrets (an Astra token response, a CockroachDB API key creation, fields named by
 * relay.redact rules, an unmappable record) go through the relay to every sink (csv, ndjson, s3, kafka, webhook) and,
 * through a sink that always fails and the invalid record, to the dead-letter store: no secret is anywhere.
 */
@ExtendWith(RealServers.class)
class RedactionEverySinkTest {

    private static final List<String> SECRETS = List.of("0123abcdef", "s3cr3t-value-123", "xyz789secret",
            "whsk-airkit-777", "note-conduktor-555", "hunter2-invalid");

    @TempDir
    Path dir;

    @Test
    @Timeout(240)
    void no_token_reaches_any_sink_or_the_dead_letter_store(S3ProxyServer s3, KafkaServer kafka) throws Exception {
        String bucket = "redact-" + System.nanoTime();
        String topic = "redact-" + UUID.randomUUID();
        String secret = "whsec_" + Base64.getEncoder().encodeToString("redaction-test-key-0123456789ab".getBytes(StandardCharsets.UTF_8));
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
                    .with("relay.sinks", "csv,ndjson,s3,kafka,webhook,broken")
                    .with("relay.redact", "airkit:WEBHOOK_SIGNING_KEY=drop; conduktor:$.data.metadata.internalNote")
                    .with("relay.sink.s3.bucket", bucket)
                    .with("relay.sink.s3.endpoint", s3.httpUrl())
                    .with("relay.sink.s3.access-key", s3.accessKey())
                    .with("relay.sink.s3.secret-key", s3.secretKey())
                    .with("relay.sink.kafka.brokers", kafka.bootstrapServers())
                    .with("relay.sink.kafka.topic", topic)
                    .with("relay.sink.webhook.url", "http://127.0.0.1:" + http.getAddress().getPort() + "/hook")
                    .with("relay.sink.webhook.secret", secret)
                    .with("relay.sink.broken.uri", "audit-webhook:http://127.0.0.1:" + S3ProxyServer.freePort()
                            + "/closed?sinkName=broken&maxRetries=0&secret=RAW(" + secret + ")");
            write(relay.inbox("astra").resolve("tokens.csv"), "typename,actionResult,userID,event,eventTime,eventType\r\n"
                    + "AuditEvent,SUCCESS,u-1,\"{\"\"clientId\"\":\"\"c-1\"\",\"\"secret\"\":\"\"s3cr3t-value-123\"\","
                    + "\"\"token\"\":\"\"AstraCS:AbCdEf:0123abcdef\"\",\"\"orgId\"\":\"\"org-1\"\"}\",2024-05-02T09:15:32.481Z,"
                    + "GENERATE_TOKEN_FOR_CLIENT\r\n");
            write(relay.inbox("cockroachdb").resolve("keys.jsonl"), "{\"id\":\"k1\",\"user_email\":\"ops@example.com\","
                    + "\"action\":\"AUDIT_LOG_ACTION_CREATE_API_KEY\",\"payload\":{\"response\":{\"api_key\":{\"id\":\"key-1\"},"
                    + "\"secret\":\"CCDB1_abc_xyz789secret\"}},\"error\":\"\",\"created_at\":\"2024-05-02T10:00:00Z\"}\n"
                    + "{\"id\":\"bad\",\"action\":\"AUDIT_LOG_ACTION_LOGIN\",\"password\":\"hunter2-invalid\"}\n");
            write(relay.inbox("airkit").resolve("hooks.ndjson"), "{\"EVENT_ID\":\"a1\",\"EVENT_TIME\":\"2024-05-02 11:00:00\","
                    + "\"EVENT_TYPE\":\"new_webhook\",\"WEBHOOK_ID\":\"w-1\",\"WEBHOOK_SIGNING_KEY\":\"whsk-airkit-777\"}\n");
            write(relay.inbox("conduktor").resolve("notes.jsonl"), "{\"id\":\"c1\",\"time\":\"2024-05-02T12:00:00Z\","
                    + "\"type\":\"topic.Created\",\"source\":\"kafka:/cluster/c/topic/t\",\"data\":{\"user\":\"bob\","
                    + "\"metadata\":{\"internalNote\":\"note-conduktor-555\"}}}\n");

            relay.runOnce(Duration.ofSeconds(120));

            List<String> seen = new ArrayList<>();
            RelayRunner.await(Duration.ofSeconds(60), () -> S3ProxyServer.keys(client, bucket).size() >= 1);
            for (String key : S3ProxyServer.keys(client, bucket)) {
                seen.add(Output.gunzip(client.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asByteArray()));
            }
            seen.addAll(kafka.values(topic, 4));
            RelayRunner.await(Duration.ofSeconds(30), () -> bodies.size() >= 4);
            seen.addAll(bodies);
            String dlq = Files.readString(relay.dlqFile());
            seen.add(dlq);
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path file : files.filter(Files::isRegularFile).filter(f -> !f.startsWith(dir.resolve("inbox"))).toList()) {
                    seen.add(Files.readString(file, StandardCharsets.ISO_8859_1));
                }
            }

            String all = String.join("\n", seen);
            assertThat(SECRETS).allSatisfy(s -> assertThat(all).as(s).doesNotContain(s));
            assertThat(all).contains("[REDACTED]").contains("key-1").contains("c-1");
            assertThat(String.join("\n", kafka.values(topic, 4))).contains("GENERATE_TOKEN_FOR_CLIENT")
                    .contains("AUDIT_LOG_ACTION_CREATE_API_KEY").contains("new_webhook").contains("topic.Created");
            assertThat(dlq).as("the broken sink's dead letters and the unmappable record").contains("\"sink\":\"broken\"")
                    .contains("\"sink\":null").contains("GENERATE_TOKEN_FOR_CLIENT").contains("\\\"id\\\":\\\"bad\\\"");
            assertThat(String.join("\n", Files.readAllLines(relay.csvDir().resolve("audit-2024-05-02.csv"))))
                    .contains("AUDIT_LOG_ACTION_CREATE_API_KEY");
        } finally {
            http.stop(0);
        }
    }

    private static void write(Path file, String content) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, content, StandardCharsets.UTF_8);
    }
}
