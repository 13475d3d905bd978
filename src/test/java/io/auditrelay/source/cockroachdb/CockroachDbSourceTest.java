package io.auditrelay.source.cockroachdb;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.auditrelay.mapper.Json;
import io.auditrelay.testing.Output;
import io.auditrelay.testing.RelayRunner;
import org.apache.camel.CamelContext;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheckHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The CockroachDB Cloud source, through the real relay, against a stand-in for the API. */
class CockroachDbSourceTest {

    @TempDir
    Path dir;

    private FakeCockroachCloud api;
    private ListAppender<ILoggingEvent> logs;
    private final List<RelayRunner> running = new ArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        api = new FakeCockroachCloud();
        logs = new ListAppender<>();
        logs.start();
        root().addAppender(logs);
    }

    @AfterEach
    void tearDown() {
        running.forEach(RelayRunner::stop);
        root().detachAppender(logs);
        api.close();
    }

    private static Logger root() {
        return (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    }

    private RelayRunner relay() {
        return relay(dir);
    }

    private RelayRunner relay(Path where) {
        RelayRunner relay = RelayRunner.inDir(where)
                .with("relay.inbox.enabled", "false")
                .with("relay.sinks", "ndjson")
                .with("relay.source.cockroachdb.enabled", "true")
                .with("relay.source.cockroachdb.url", api.url())
                .with("relay.source.cockroachdb.api-key", FakeCockroachCloud.KEY)
                .with("relay.source.cockroachdb.page-size", "3")
                .with("relay.source.cockroachdb.backoff", "100ms")
                .with("relay.source.cockroachdb.max-backoff", "1s")
                .with("relay.source.cockroachdb.poll-interval", "300ms");
        running.add(relay);
        return relay;
    }

    @Test
    void drains_several_pages_delivering_boundary_duplicates_once_and_keeps_microseconds_in_the_cursor() throws Exception {
        api.add("a1", "2024-05-01T10:00:00.000001Z").add("a2", "2024-05-01T10:00:00.000002Z")
                .add("a3", "2024-05-01T10:00:00.000003Z").add("a4", "2024-05-01T10:00:00.000003Z")
                .add("a5", "2024-05-01T10:00:01.123456Z").add("a6", "2024-05-01T10:00:01.123457Z")
                .add("a7", "2024-05-01T10:00:02.999999Z").add("a8", "2024-05-01T10:00:02.999999Z");
        RelayRunner relay = relay();

        relay.runOnce(Duration.ofSeconds(30));

        assertThat(deliveredIds(relay)).containsExactly("a1", "a2", "a3", "a4", "a5", "a6", "a7", "a8");
        assertThat(times(relay)).contains("2024-05-01T10:00:01.123456Z", "2024-05-01T10:00:02.999999Z");
        assertThat(api.requests()).extracting(FakeCockroachCloud.Request::startingFrom)
                .startsWith(null, "2024-05-01T10:00:00.000003Z");
        JsonNode cursor = Json.MAPPER.readTree(Files.readString(dir.resolve("state/cockroachdb-cursor.json")));
        assertThat(cursor.get("starting_from").asText()).isEqualTo("2024-05-01T10:00:02.999999Z");
    }

    @Test
    void retries_after_a_429_honouring_retry_after_and_after_a_503() throws Exception {
        for (int i = 1; i <= 5; i++) {
            api.add("r" + i, "2024-05-01T10:00:0" + i + ".000000Z");
        }
        api.rateLimitOnce("1");
        api.unavailableOnce();
        RelayRunner relay = relay();

        relay.runOnce(Duration.ofSeconds(30));

        assertThat(deliveredIds(relay)).containsExactly("r1", "r2", "r3", "r4", "r5");
        List<FakeCockroachCloud.Request> requests = api.requests();
        assertThat(requests.get(0).status()).isEqualTo(429);
        assertThat(requests.get(1).status()).isEqualTo(503);
        assertThat(Duration.ofNanos(requests.get(1).nanos() - requests.get(0).nanos())).isGreaterThanOrEqualTo(Duration.ofMillis(950));
        assertThat(requests.get(2).startingFrom()).isEqualTo(requests.get(0).startingFrom());
    }

    @Test
    void a_long_running_relay_picks_up_new_entries_after_the_drain_without_duplicates() throws Exception {
        api.add("n1", "2024-05-01T10:00:00.000001Z").add("n2", "2024-05-01T10:00:00.000002Z");
        RelayRunner relay = relay();
        relay.start();
        RelayRunner.await(Duration.ofSeconds(10), () -> deliveredIds(relay).size() == 2);

        api.add("n3", "2024-05-01T10:00:00.000002Z").add("n4", "2024-05-01T10:00:05.500000Z")
                .add("n5", "2024-05-01T10:00:05.500001Z").add("n6", "2024-05-01T10:00:06.000000Z");
        RelayRunner.await(Duration.ofSeconds(10), () -> deliveredIds(relay).size() >= 6);
        int requestsBefore = api.requests().size();
        RelayRunner.await(Duration.ofSeconds(5), () -> api.requests().size() >= requestsBefore + 2);
        java.net.http.HttpResponse<String> metrics = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + relay.managementPort()
                        + "/observe/metrics")).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        relay.stop();

        assertThat(deliveredIds(relay)).containsExactly("n1", "n2", "n3", "n4", "n5", "n6");
        // the saved cursor (2024-05-01T10:00:06Z) as a gauge
        assertThat(metrics.body()).containsPattern("relay_cursor_timestamp_seconds\\{source=\"cockroachdb\"\\} 1\\.714557606E9");
    }

    @Test
    void a_relay_stopped_mid_page_resumes_from_the_saved_cursor_without_loss_or_duplicates() throws Exception {
        api.add("c1", "2024-05-01T10:00:01.000001Z").add("c2", "2024-05-01T10:00:02.000002Z")
                .add("c3", "2024-05-01T10:00:03.000003Z").add("c4", "2024-05-01T10:00:04.000004Z");
        ObjectNode broken = Json.MAPPER.createObjectNode().put("id", "c5").put("action", "AUDIT_LOG_ACTION_X");
        api.addRaw("2024-05-01T10:00:04.500000Z", broken); // no created_at: must be dead-lettered
        api.add("c6", "2024-05-01T10:00:06.000006Z").add("c7", "2024-05-01T10:00:07.000007Z");
        // First run: the dead-letter store can't be written, so c5 is not accepted and the page can't complete.
        Path notADirectory = Files.writeString(dir.resolve("dlq-is-a-file"), "");
        RelayRunner first = relay().with("relay.dlq.dir", notADirectory.toString());
        first.start();
        RelayRunner.await(Duration.ofSeconds(10), () -> api.requests().stream()
                .filter(r -> "2024-05-01T10:00:03.000003Z".equals(r.startingFrom())).count() >= 2);
        first.stop();
        assertThat(deliveredIds(first)).containsExactly("c1", "c2", "c3", "c4");
        JsonNode cursor = Json.MAPPER.readTree(Files.readString(dir.resolve("state/cockroachdb-cursor.json")));
        assertThat(cursor.get("starting_from").asText()).isEqualTo("2024-05-01T10:00:03.000003Z");

        int before = api.requests().size();
        RelayRunner second = relay().with("relay.dlq.dir", dir.resolve("dlq").toString());
        second.runOnce(Duration.ofSeconds(30));

        assertThat(api.requests().get(before).startingFrom()).isEqualTo("2024-05-01T10:00:03.000003Z");
        assertThat(deliveredIds(second)).containsExactly("c1", "c2", "c3", "c4", "c6", "c7");
        assertThat(Files.readString(second.dlqFile())).contains("c5").contains("created_at");
    }

    @Test
    void more_entries_than_the_page_size_on_one_timestamp_widen_the_page_and_all_arrive() throws Exception {
        api.add("s0", "2024-05-01T09:59:59.999999Z");
        for (int i = 1; i <= 7; i++) {
            api.add("s" + i, "2024-05-01T10:00:00.123456Z");
        }
        api.add("s8", "2024-05-01T10:00:01.000000Z");
        RelayRunner relay = relay();

        relay.runOnce(Duration.ofSeconds(30));

        assertThat(deliveredIds(relay)).containsExactly("s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8");
        assertThat(api.requests()).extracting(FakeCockroachCloud.Request::limit).contains(6, 12);
        assertThat(messages(Level.WARN)).noneMatch(m -> m.contains("Stepping the cursor"));
    }

    @Test
    void more_than_a_thousand_entries_on_one_timestamp_step_past_it_with_a_warning_instead_of_looping() throws Exception {
        for (int i = 0; i < 1003; i++) {
            api.add(String.format("t%04d", i), "2024-05-01T10:00:00.500000Z");
        }
        api.add("after", "2024-05-01T10:00:00.500001Z").add("later", "2024-05-01T10:00:09.000000Z");
        RelayRunner relay = relay().with("relay.source.cockroachdb.page-size", "1000");

        relay.runOnce(Duration.ofSeconds(40));

        List<String> ids = deliveredIds(relay);
        assertThat(ids).hasSize(1002).doesNotHaveDuplicates().endsWith("after", "later");
        assertThat(messages(Level.WARN)).anyMatch(m -> m.contains("2024-05-01T10:00:00.500Z")
                && m.contains("Stepping the cursor to 2024-05-01T10:00:00.500001Z") && m.contains("may have been skipped"));
    }

    @Test
    void a_rejected_key_logs_one_error_reports_down_retries_slowly_and_never_shows_the_key() throws Exception {
        api.add("k1", "2024-05-01T10:00:00.000001Z");
        api.acceptKey("some-other-key");
        RelayRunner relay = relay();
        CamelContext context = relay.start();
        RelayRunner.await(Duration.ofSeconds(10), () -> api.requests().size() >= 2);
        int atStart = api.requests().size();
        Thread.sleep(1500); // a window in which a spinning poller would make hundreds of requests
        int inWindow = api.requests().size() - atStart;

        HealthCheck.Result health = HealthCheckHelper.invoke(context).stream()
                .filter(r -> r.getCheck().getId().equals(CockroachDbHealthCheck.ID)).findFirst().orElseThrow();
        assertThat(health.getState()).isEqualTo(HealthCheck.State.DOWN);
        assertThat(String.valueOf(health.getDetails().get("reason"))).contains("rejected the API key (401)");
        assertThat(health.getDetails().toString() + health.getMessage().orElse("")).doesNotContain(FakeCockroachCloud.KEY);
        assertThat(context.isStarted()).isTrue();
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        java.net.http.HttpResponse<String> ready = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                "http://127.0.0.1:" + relay.managementPort() + "/observe/health/ready")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        java.net.http.HttpResponse<String> live = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                "http://127.0.0.1:" + relay.managementPort() + "/observe/health/live")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(ready.statusCode()).isEqualTo(503);
        assertThat(ready.body()).contains(CockroachDbHealthCheck.ID).contains("rejected the API key (401)")
                .doesNotContain(FakeCockroachCloud.KEY);
        assertThat(live.statusCode()).isEqualTo(200);
        relay.stop();

        assertThat(inWindow).isBetween(2, 8);
        assertThat(messages(Level.ERROR)).filteredOn(m -> m.contains("CockroachDB Cloud rejected the API key (401)")).hasSize(1);
        assertThat(allLogText()).doesNotContain(FakeCockroachCloud.KEY);
        assertThat(deliveredIds(relay)).isEmpty();
    }

    @Test
    void a_relay_once_run_whose_key_is_rejected_stops_and_fails_instead_of_waiting_forever() {
        api.add("k1", "2024-05-01T10:00:00.000001Z");
        api.acceptKey("some-other-key");
        RelayRunner relay = relay();

        assertThatThrownBy(() -> relay.runOnce(Duration.ofSeconds(30)))
                .hasMessageContaining("the relay failed").hasStackTraceContaining("exited with code 1");
        assertThat(messages(Level.ERROR)).anyMatch(m -> m.contains("relay.once: source cockroachdb failed")
                && m.contains("rejected the API key (401)"));
        assertThat(allLogText()).doesNotContain(FakeCockroachCloud.KEY);
    }

    @Test
    void a_non_json_body_and_entries_without_id_or_created_at_are_dead_lettered_and_the_rest_flows() throws Exception {
        api.add("d1", "2024-05-01T10:00:01.000000Z");
        api.addRaw("2024-05-01T10:00:02.000000Z", Json.MAPPER.createObjectNode()
                .put("action", "AUDIT_LOG_ACTION_X").put("created_at", "2024-05-01T10:00:02.000000Z"));
        api.add("d3", "2024-05-01T10:00:03.000000Z");
        api.addRaw("2024-05-01T10:00:04.000000Z", Json.MAPPER.createObjectNode().put("id", "d4").put("action", "AUDIT_LOG_ACTION_X"));
        api.add("d5", "2024-05-01T10:00:05.000000Z");
        api.notJsonOnce();
        RelayRunner relay = relay().with("relay.source.cockroachdb.page-size", "10");

        relay.runOnce(Duration.ofSeconds(30));

        assertThat(deliveredIds(relay)).containsExactly("d1", "d3", "d5");
        List<String> dead = Files.readAllLines(relay.dlqFile());
        assertThat(dead).hasSize(3);
        assertThat(dead.get(0)).contains("not JSON").contains("GET /api/v1/auditlogevents");
        assertThat(dead.get(1)).contains("id");
        assertThat(dead.get(2)).contains("d4").contains("created_at");
    }

    // ------------------------------------------------------------------ helpers

    private List<String> messages(Level level) {
        return logs.list.stream().filter(e -> e.getLevel() == level).map(ILoggingEvent::getFormattedMessage).toList();
    }

    private String allLogText() {
        StringBuilder text = new StringBuilder();
        for (ILoggingEvent event : List.copyOf(logs.list)) {
            text.append(event.getFormattedMessage()).append('\n');
            if (event.getThrowableProxy() != null) {
                text.append(ThrowableProxyUtil.asString(event.getThrowableProxy())).append('\n');
            }
        }
        return text.toString();
    }

    static List<String> deliveredIds(RelayRunner relay) {
        return events(relay).stream().map(e -> e.get("id").asText().replaceFirst("^cockroachdb:", "")).toList();
    }

    static List<String> times(RelayRunner relay) {
        return events(relay).stream().map(e -> e.get("time").asText()).toList();
    }

    static List<JsonNode> events(RelayRunner relay) {
        return Output.json(relay.ndjsonDir());
    }
}
