package io.auditrelay.ocsf;

import com.fasterxml.jackson.databind.JsonNode;
import io.auditrelay.event.AuditEvent;
import io.auditrelay.mapper.Json;
import io.auditrelay.mapper.MappedFixtures;
import io.auditrelay.sink.AllSinks;
import io.auditrelay.testing.KafkaServer;
import io.auditrelay.testing.RealServers;
import io.auditrelay.testing.S3ProxyServer;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * format=ocsf on the ndjson, s3 (Security Lake layout), kafka and webhook sink endpoints: every vendor fixture arrives
 * as a valid OCSF 1.8.0 event; raw_data only where asked; the CSV sink stays canonical and refuses format=ocsf.
 */
@ExtendWith(RealServers.class)
class OcsfSinksTest {

    private static final OcsfSchema SCHEMA = OcsfSchema.load(OcsfEvents.VERSION);
    private static final Pattern LAKE_KEY = Pattern.compile(
            "ext/audit-relay/region=eu-west-1/accountId=123456789012/eventDay=(\\d{8})/(\\d{4})-[0-9a-f]{64}\\.ndjson\\.gz");

    @TempDir
    Path dir;

    @Test
    @Timeout(180)
    void every_vendor_fixture_reaches_every_sink_as_valid_ocsf(S3ProxyServer s3, KafkaServer kafka) throws Exception {
        Map<String, AuditEvent> byId = new LinkedHashMap<>();
        MappedFixtures.fixtures().forEach(e -> byId.putIfAbsent(e.id(), e));
        List<AuditEvent> events = new ArrayList<>(byId.values());
        Map<String, String> options = Map.of(
                "ndjson", "format=ocsf",
                "s3", "format=ocsf&layout=security-lake&securityLakeAccountId=123456789012&region=eu-west-1",
                "kafka", "format=ocsf&ocsfRawData=true",
                "webhook", "format=ocsf&batchSize=5&batchInterval=50");

        try (AllSinks sinks = new AllSinks(dir, s3, kafka, options)) {
            sinks.sendToAll(events);

            for (String sink : List.of("ndjson", "s3", "kafka", "webhook")) {
                List<JsonNode> written = sinks.awaitLines(sink, events.size()).stream().map(OcsfSinksTest::parse).toList();
                assertThat(written).as(sink).hasSize(events.size());
                assertThat(written).extracting(e -> e.path("metadata").path("uid").asText()).as(sink)
                        .containsExactlyInAnyOrderElementsOf(byId.keySet());
                assertThat(written).as(sink).allSatisfy(e -> {
                    assertThat(SCHEMA.validate(e)).as(e.toString()).isEmpty();
                    assertThat(e.has("raw_data")).isEqualTo(sink.equals("kafka"));
                });
            }
            assertThat(sinks.awaitLines("csv", events.size())).allSatisfy(line -> assertThat(line).matches(
                    "^(astra|cockroachdb|conduktor|airkit):.*"));

            List<String> keys = sinks.s3Keys();
            assertThat(keys).isNotEmpty().allSatisfy(key -> {
                Matcher m = LAKE_KEY.matcher(key);
                assertThat(m.matches()).as(key).isTrue();
                assertThat(sinks.s3Object(key)).as("one class per object").allSatisfy(line -> {
                    JsonNode event = parse(line);
                    assertThat(event.path("class_uid").asText()).isEqualTo(m.group(2));
                    assertThat(java.time.Instant.ofEpochMilli(event.path("time").asLong()).toString().replace("-", ""))
                            .startsWith(m.group(1));
                });
            });
            assertThat(keys.stream().map(k -> k.replaceAll(".*/(\\d{4})-.*", "$1")).distinct().count())
                    .as("the fixtures span several classes").isGreaterThan(2);
            assertThat(sinks.deadLetters()).isEmpty();
        }
    }

    @Test
    void the_csv_sink_refuses_ocsf_and_an_unknown_format_is_refused() {
        for (String uri : List.of("audit-csv:" + dir + "?format=ocsf", "audit-ndjson:" + dir + "?format=parquet",
                "audit-s3:b?layout=security-lake&securityLakeAccountId=1")) {
            assertThatThrownBy(() -> {
                try (CamelContext context = new DefaultCamelContext()) {
                    context.addRoutes(new RouteBuilder() {
                        @Override
                        public void configure() {
                            from("direct:in").to(uri + (uri.contains("?") ? "&" : "?") + "dlqDir=" + dir.resolve("dlq"));
                        }
                    });
                    context.start();
                }
            }).as(uri).hasStackTraceContaining(uri.startsWith("audit-csv") ? "canonical columns"
                    : uri.startsWith("audit-s3") ? "needs format=ocsf" : "format must be canonical or ocsf");
        }
    }

    private static JsonNode parse(String line) {
        try {
            return Json.MAPPER.readTree(line);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
