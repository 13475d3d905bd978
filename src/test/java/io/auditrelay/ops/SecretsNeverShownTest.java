package io.auditrelay.ops;

import io.auditrelay.aws.S3Access;
import io.auditrelay.sink.webhook.WebhookSigner;
import io.auditrelay.sink.webhook.WebhookSink;
import io.auditrelay.source.astra.AstraPulsarSettings;
import io.auditrelay.source.astra.PulsarTls;
import io.auditrelay.source.cockroachdb.CockroachDbSettings;
import io.auditrelay.testing.RelayProcess;
import io.auditrelay.testing.RelayRunner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * No secret is ever shown: not by the toString() of the classes that hold one, and not in anything a running relay
 * writes (its whole log, the dead-letter store, its state files) while every source and sink with a credential is
 * enabled with that credential set to a marker, and each of them fails to reach its system (the failures are what
 * gets logged).
 */
class SecretsNeverShownTest {

    /** Valid base64 (the webhook secret is decoded), unlikely anywhere else. */
    private static final String MARKER = "SECRETMARKERq7Zx";
    private static final String JAAS = "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"relay\""
            + " password=\"" + MARKER + "\";";

    @TempDir
    Path dir;

    @Test
    void settings_and_records_holding_a_secret_never_print_it() {
        List<Object> holders = List.of(
                new S3Access("us-east-1", "http://127.0.0.1:1", MARKER, MARKER),
                new CockroachDbSettings("http://127.0.0.1:1", MARKER, "2024-09-16", 100, null, null,
                        CockroachDbSettings.SortOrder.ASC, Duration.ofSeconds(1),
                        Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(1), 10, dir),
                new AstraPulsarSettings("pulsar://127.0.0.1:1", List.of("t"), "s", "Failover", "token", MARKER, "token",
                        "https://issuer", "data:application/json;base64," + MARKER, "aud", "scope",
                        new PulsarTls(null, "/keys/trust.p12", "PKCS12", MARKER, true, false)),
                new WebhookSink.Options(URI.create("http://127.0.0.1:1/hook"), "whsec_" + MARKER, 1, Duration.ofSeconds(1),
                        Duration.ofSeconds(1), 1, Duration.ofSeconds(1), Duration.ofSeconds(1), Map.of("X-Api-Key", "v")),
                new WebhookSigner("whsec_" + MARKER));

        assertThat(holders).allSatisfy(h -> assertThat(h.toString()).doesNotContain(MARKER));
    }

    @Test
    void a_running_relay_with_every_secret_set_never_writes_one() throws Exception {
        String closed = "127.0.0.1:" + RelayRunner.freePort();
        RelayRunner layout = RelayRunner.inDir(dir)
                .with("relay.sinks", "csv,ndjson,s3,kafka,webhook")
                .with("relay.sink.max-retries", "0")
                .with("relay.sink.retry-delay", "100")
                .with("relay.sink.s3.bucket", "audit")
                .with("relay.sink.s3.endpoint", "http://" + closed)
                .with("relay.sink.s3.access-key", MARKER)
                .with("relay.sink.s3.secret-key", MARKER)
                .with("relay.sink.s3.batch-size", "1")
                .with("relay.sink.s3.max-retries", "0")
                .with("relay.sink.kafka.brokers", closed)
                .with("relay.sink.kafka.kafka.security.protocol", "SASL_PLAINTEXT")
                .with("relay.sink.kafka.kafka.sasl.mechanism", "PLAIN")
                .with("relay.sink.kafka.kafka.sasl.jaas.config", JAAS)
                .with("relay.sink.kafka.kafka.max.block.ms", "1000")
                .with("relay.sink.kafka.kafka.delivery.timeout.ms", "2000")
                .with("relay.sink.kafka.kafka.request.timeout.ms", "1000")
                .with("relay.sink.webhook.url", "http://" + closed + "/hook")
                .with("relay.sink.webhook.secret", "whsec_" + MARKER)
                .with("relay.sink.webhook.timeout", "1000")
                .with("relay.source.cockroachdb.enabled", "true")
                .with("relay.source.cockroachdb.url", "http://" + closed)
                .with("relay.source.cockroachdb.api-key", MARKER)
                .with("relay.source.cockroachdb.backoff", "200ms")
                .with("relay.source.cockroachdb.request-timeout", "1s")
                .with("relay.source.astra.enabled", "true")
                .with("relay.source.astra.service-url", "pulsar://" + closed)
                .with("relay.source.astra.topic", "persistent://tenant/astracdc/audit")
                .with("relay.source.astra.token", MARKER)
                .with("relay.astra.application-token", MARKER)
                .with("relay.source.conduktor.enabled", "true")
                .with("relay.source.conduktor.brokers", closed)
                .with("relay.source.conduktor.kafka.security.protocol", "SASL_PLAINTEXT")
                .with("relay.source.conduktor.kafka.sasl.mechanism", "PLAIN")
                .with("relay.source.conduktor.kafka.sasl.jaas.config", JAAS)
                .with("relay.source.airkit.enabled", "true")
                .with("relay.source.airkit.bucket", "airkit")
                .with("relay.source.airkit.endpoint", "http://" + closed)
                .with("relay.source.airkit.access-key", MARKER)
                .with("relay.source.airkit.secret-key", MARKER)
                .with("relay.source.airkit.poll-interval", "500");
        Path inbox = layout.inbox("conduktor");
        Files.createDirectories(inbox);
        Files.writeString(inbox.resolve("events.jsonl"), "{\"specversion\":\"1.0\",\"id\":\"s1\",\"source\":\"//kafka/x/topic/t\","
                + "\"type\":\"AuditLogEventType(Kafka,Topic,Create)\",\"time\":\"2024-10-10T07:52:07Z\",\"data\":"
                + "{\"eventType\":\"Kafka.Topic.Create\",\"metadata\":{\"name\":\"t\"},\"userName\":\"alice\"}}\nnot json\n");
        Path log = dir.resolve("relay.log");

        RelayProcess relay = RelayProcess.start(layout.properties(), log);
        List<String> failures = List.of("Astra Streaming refused or did not answer", "CockroachDB Cloud unavailable",
                "Airkit source: listing s3://airkit failed", "Conduktor source: polling",
                "from events.jsonl:1 at sink webhook", "from events.jsonl:1 at sink s3");
        try {
            // every part with a credential started and failed to reach its system at least once (the sinks dead-lettered
            // the inbox file's event): what a failure logs is where a secret would show
            RelayRunner.await(Duration.ofSeconds(90), () -> {
                String text = relay.log();
                return !relay.isAlive() || failures.stream().allMatch(text::contains);
            });
        } finally {
            relay.kill();
        }

        String text = relay.log();
        assertThat(text).contains(failures);
        assertThat(text.lines().filter(line -> line.contains(MARKER)).toList()).as("log lines with a secret").isEmpty();
        assertThat(Files.readString(layout.dlqFile())).contains("\"sink\":\"webhook\"").doesNotContain(MARKER);
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path file : files.filter(Files::isRegularFile).filter(f -> !f.equals(log)).toList()) {
                assertThat(Files.readString(file, java.nio.charset.StandardCharsets.ISO_8859_1)).as(file.toString())
                        .doesNotContain(MARKER);
            }
        }
    }
}
