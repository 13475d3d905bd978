package io.auditrelay.ops;

import io.auditrelay.testing.Output;
import io.auditrelay.testing.RelayProcess;
import io.auditrelay.testing.RelayRunner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** Scrapes the real management endpoints of a running relay after a known run over the examples. */
class MetricsAndHealthTest {

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> get(RelayRunner relay, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + relay.managementPort() + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void metrics_count_the_examples_run_and_health_is_up() throws Exception {
        RelayRunner relay = RelayRunner.inDir(dir);
        relay.start();
        try {
            relay.copyExamplesIntoInbox();
            Files.writeString(relay.inbox("conduktor").resolve("bad.jsonl"), "{\"specversion\":\"1.0\"}\n");
            RelayRunner.await(Duration.ofSeconds(60), () -> Output.lines(relay.ndjsonDir()).size() == 24
                    && Output.jsonFile(relay.dlqFile()).size() == 1);

            String metrics = get(relay, "/observe/metrics").body();
            assertThat(metrics)
                    .contains("relay_events_received_total{vendor=\"astra\"} 9.0")
                    .contains("relay_events_received_total{vendor=\"cockroachdb\"} 5.0")
                    .contains("relay_events_received_total{vendor=\"conduktor\"} 5.0")
                    .contains("relay_events_received_total{vendor=\"airkit\"} 7.0")
                    .contains("relay_events_duplicate_total{vendor=\"astra\"} 1.0")
                    .contains("relay_events_delivered_total{sink=\"ndjson\",vendor=\"astra\"} 8.0")
                    .contains("relay_events_delivered_total{sink=\"csv\",vendor=\"airkit\"} 7.0")
                    .contains("relay_events_dead_lettered_total{reason=\"invalid_record\",vendor=\"conduktor\"} 1.0")
                    .containsPattern("relay_source_lag_seconds\\{vendor=\"astra\"} [0-9.E]+");

            HttpResponse<String> live = get(relay, "/observe/health/live");
            HttpResponse<String> ready = get(relay, "/observe/health/ready");
            assertThat(live.statusCode()).isEqualTo(200);
            assertThat(ready.statusCode()).isEqualTo(200);
            assertThat(ready.body()).contains("\"status\":\"UP\"");
        } finally {
            relay.stop();
        }
    }

    @Test
    void the_developer_console_shows_the_relay_endpoints_when_asked_for() throws Exception {
        RelayRunner relay = RelayRunner.inDir(dir).with("relay.dev-console", "true");
        relay.start();
        try {
            HttpResponse<String> endpoints = get(relay, "/q/dev/endpoint");
            assertThat(endpoints.statusCode()).isEqualTo(200);
            assertThat(endpoints.body()).contains("audit-inbox://astra", "audit-inbox://cockroachdb", "audit-csv:", "direct://ingest-batch");
            assertThat(get(relay, "/q/dev/context").body()).contains("Apache Camel 4.17.0 started (audit-relay)");
        } finally {
            relay.stop();
        }
    }

    @Test
    void a_relay_whose_management_port_another_process_holds_refuses_to_start_and_says_why() throws Exception {
        RelayRunner layout = RelayRunner.inDir(dir);
        try (ServerSocket taken = new ServerSocket(layout.managementPort())) {
            RelayProcess relay = RelayProcess.start(layout.properties(), dir.resolve("relay.log"));
            try {
                assertThat(relay.waitFor(Duration.ofSeconds(60))).as(relay.log()).isNotNull().isNotZero();
            } finally {
                relay.kill();
            }
            assertThat(relay.log()).contains("The management port 0.0.0.0:" + layout.managementPort()
                    + " (relay.management.port) is in use by another process");
        }
    }
}
