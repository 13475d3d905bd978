package io.auditrelay.sink.webhook;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import io.auditrelay.command.ReplayDlqCommand;
import io.auditrelay.testing.Output;
import io.auditrelay.testing.RelayRunner;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The webhook sink against a real HTTP server (loopback) that verifies Standard Webhooks signatures. */
class WebhookSinkTest {

    // a random 32-byte key in the spec's whsec_<base64> form
    static final String SECRET = "whsec_" + "c2VjcmV0LWtleS1mb3ItdGVzdHMtb25seS0xMjM0NTY=";
    static final String SECRET_KEY_PART = SECRET.substring(6);
    static final String CRDB = "{\"id\":\"%s-6a87-4efc-ac7b-157ba172f957\",\"user_email\":\"ops@example.com\","
            + "\"cluster_id\":\"c-1\",\"cluster_name\":\"example-cluster\",\"action\":\"%s\","
            + "\"payload\":{},\"metadata\":null,\"error\":\"\",\"created_at\":\"2022-10-09T02:40:00.262143Z\"}";
    static final String ASTRA = "{\"typename\":\"AuditEvent\",\"actionResult\":\"SUCCESS\",\"userID\":\"u-1\","
            + "\"event\":{\"databaseName\":\"orders\",\"databaseId\":\"db-1\",\"orgId\":\"org-1\"},"
            + "\"eventTime\":\"2024-05-02T09:15:32.481Z\",\"eventType\":\"DB_CREATED\"}";
    static final String CREATE = "AUDIT_LOG_ACTION_CREATE_CLUSTER";

    static ListAppender<ILoggingEvent> logs;

    @TempDir
    Path dir;
    WebhookReceiver receiver;

    @BeforeAll
    static void captureLogs() {
        logs = new ListAppender<>();
        logs.start();
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).addAppender(logs);
    }

    @AfterAll
    static void the_secret_never_appears_in_the_log_output() {
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(logs);
        assertThat(logs.list).isNotEmpty();
        for (ILoggingEvent event : logs.list) {
            StringBuilder text = new StringBuilder(event.getFormattedMessage());
            for (IThrowableProxy t = event.getThrowableProxy(); t != null; t = t.getCause()) {
                text.append(' ').append(t.getMessage());
            }
            assertThat(text.toString()).doesNotContain(SECRET_KEY_PART);
        }
    }

    @BeforeEach
    void startReceiver() throws Exception {
        receiver = new WebhookReceiver(SECRET);
    }

    @AfterEach
    void stopReceiver() {
        receiver.close();
    }

    private Map<String, String> props() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("relay.state.dir", dir.resolve("state").toString());
        p.put("relay.dlq.dir", dir.resolve("dlq").toString());
        p.put("relay.sink.csv.dir", dir.resolve("out/csv").toString());
        p.put("relay.sink.ndjson.dir", dir.resolve("out/ndjson").toString());
        p.put("relay.sinks", "ndjson,webhook");
        p.put("relay.sink.webhook.url", receiver.url().toString());
        p.put("relay.sink.webhook.secret", SECRET);
        p.put("relay.sink.webhook.backoff", "200");
        p.put("relay.sink.webhook.max-backoff", "1000");
        p.put("relay.sink.webhook.max-retries", "20");
        p.put("relay.sink.webhook.headers.X-Api-Key", "key-123");
        return p;
    }

    private RelayRunner relay(Map<String, String> props) {
        RelayRunner relay = RelayRunner.inDir(dir);
        props.forEach(relay::with);
        return relay;
    }

    private static String id(String prefix) {
        return "cockroachdb:" + prefix + "-6a87-4efc-ac7b-157ba172f957";
    }

    private static void write(Path file, String content) throws Exception {
        Files.createDirectories(file.getParent());
        Files.writeString(file, content, StandardCharsets.UTF_8);
    }

    private static String crdb(String... prefixes) {
        StringBuilder out = new StringBuilder();
        for (String p : prefixes) {
            out.append(CRDB.formatted(p, CREATE)).append('\n');
        }
        return out.toString();
    }

    @Test
    @Timeout(120)
    void retries_503s_for_3_seconds_and_429s_with_retry_after_then_delivers_every_event_exactly_once_without_holding_up_other_sinks()
            throws Exception {
        long[] until = {0};
        int[] sent429 = {0};
        List<List<String>> ndjsonDuring503 = new java.util.concurrent.CopyOnWriteArrayList<>();
        receiver.answer(r -> {
            synchronized (until) {
                if (until[0] == 0) {
                    until[0] = System.nanoTime() + 3_000_000_000L;
                }
                if (System.nanoTime() < until[0]) {
                    ndjsonDuring503.add(Output.ids(dir.resolve("out/ndjson")));
                    return new WebhookReceiver.Answer(503, "down", Map.of());
                }
                // Retry-After as delay-seconds, then as an HTTP-date (at least 2 s ahead: the date has whole seconds)
                if (sent429[0] == 0) {
                    sent429[0]++;
                    return new WebhookReceiver.Answer(429, "slow down", Map.of("Retry-After", "2"));
                }
                if (sent429[0] == 1) {
                    sent429[0]++;
                    String date = java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME.format(
                            java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC).plusSeconds(3));
                    return new WebhookReceiver.Answer(429, "slow down", Map.of("Retry-After", date));
                }
            }
            return WebhookReceiver.Answer.ok();
        });
        Map<String, String> props = props();
        // the webhook first: called one after the other, the ndjson sink would wait for it
        props.put("relay.sinks", "webhook,ndjson");
        RelayRunner relay = relay(props);
        write(relay.inbox("cockroachdb").resolve("a.jsonl"), crdb("10000000", "20000000", "30000000"));

        relay.runOnce();

        assertThat(receiver.delivered).containsExactly(id("10000000"), id("20000000"), id("30000000"));
        assertThat(ndjsonDuring503).as("the ndjson sink got the chunk while the webhook was down").hasSizeGreaterThan(3)
                .last().isEqualTo(List.of(id("10000000"), id("20000000"), id("30000000")));
        assertThat(receiver.statuses).contains(503, 429).doesNotContain(401);
        assertThat(receiver.requests).allSatisfy(r -> {
            assertThat(r.signatureValid()).isTrue();
            assertThat(r.id()).isEqualTo(r.eventIds().get(0));
            assertThat(r.headers().get("X-api-key")).containsExactly("key-123");
        });
        // the sink's own backoff is at most max-backoff (1 s): only a sink that reads the header waits longer
        int first429 = receiver.statuses.indexOf(429);
        int second429 = first429 + 1;
        assertThat(receiver.statuses.get(second429)).isEqualTo(429);
        long waitedSeconds = receiver.requests.get(first429 + 1).at() - receiver.requests.get(first429).at();
        assertThat(waitedSeconds).as("Retry-After: 2 honored").isGreaterThanOrEqualTo(1_900_000_000L);
        long waitedDate = receiver.requests.get(second429 + 1).at() - receiver.requests.get(second429).at();
        assertThat(waitedDate).as("Retry-After as an HTTP-date honored").isGreaterThanOrEqualTo(1_900_000_000L);
        assertThat(Output.ids(relay.ndjsonDir())).hasSize(3);
        assertThat(Output.jsonFile(relay.dlqFile())).isEmpty();
    }

    @Test
    @Timeout(120)
    void a_400_is_not_retried_and_is_dead_lettered_with_status_and_response_body() throws Exception {
        receiver.answer(r -> r.body().contains("20000000")
                ? new WebhookReceiver.Answer(400, "{\"error\":\"unknown resource\"}", Map.of())
                : WebhookReceiver.Answer.ok());
        RelayRunner relay = relay(props());
        write(relay.inbox("cockroachdb").resolve("a.jsonl"), crdb("10000000", "20000000", "30000000"));

        relay.runOnce();

        assertThat(receiver.delivered).containsExactly(id("10000000"), id("30000000"));
        assertThat(receiver.requests).filteredOn(r -> r.id().equals(id("20000000"))).hasSize(1);
        List<JsonNode> dead = Output.jsonFile(relay.dlqFile());
        assertThat(dead).hasSize(1);
        assertThat(dead.get(0).get("sink").asText()).isEqualTo("webhook");
        assertThat(dead.get(0).get("status").asInt()).isEqualTo(400);
        assertThat(dead.get(0).get("response").asText()).isEqualTo("{\"error\":\"unknown resource\"}");
        assertThat(dead.get(0).get("error").asText()).contains("HTTP 400").contains("unknown resource");
        assertThat(dead.get(0).get("event").get("id").asText()).isEqualTo(id("20000000"));
        assertThat(Output.ids(relay.ndjsonDir())).hasSize(3);
    }

    @Test
    @Timeout(120)
    void routing_rules_deliver_exactly_the_filtered_subsets_to_each_sink() throws Exception {
        Map<String, String> props = props();
        props.put("relay.sinks", "csv,ndjson,webhook");
        props.put("relay.sink.webhook.vendors", "cockroachdb");
        props.put("relay.sink.webhook.actions", ".*_CREATE_CLUSTER");
        props.put("relay.sink.ndjson.vendors", "astra");
        RelayRunner relay = relay(props);
        write(relay.inbox("cockroachdb").resolve("a.jsonl"), CRDB.formatted("10000000", CREATE) + "\n"
                + CRDB.formatted("20000000", "AUDIT_LOG_ACTION_DELETE_CLUSTER") + "\n"
                + CRDB.formatted("30000000", CREATE) + "\n");
        write(relay.inbox("astra").resolve("s.jsonl"), ASTRA + "\n");

        relay.runOnce();

        assertThat(receiver.delivered).containsExactly(id("10000000"), id("30000000"));
        assertThat(Output.ids(relay.ndjsonDir())).singleElement().asString().startsWith("astra:");
        assertThat(Output.lines(relay.csvDir())).filteredOn(l -> !l.startsWith("id,")).hasSize(4);
        assertThat(Output.jsonFile(relay.dlqFile())).isEmpty();
    }

    @Test
    @Timeout(120)
    void replay_after_the_endpoint_recovers_empties_the_dead_letter_store_and_delivers_each_event_once() throws Exception {
        receiver.answer(r -> new WebhookReceiver.Answer(503, "down", Map.of()));
        Map<String, String> props = props();
        props.put("relay.sink.webhook.max-retries", "0");
        RelayRunner relay = relay(props);
        write(relay.inbox("cockroachdb").resolve("a.jsonl"), crdb("10000000", "20000000") + "not json\n");

        relay.runOnce();

        assertThat(receiver.delivered).isEmpty();
        List<JsonNode> dead = Output.jsonFile(relay.dlqFile());
        assertThat(dead).extracting(d -> d.get("sink").asText(null)).containsExactlyInAnyOrder("webhook", "webhook", null);
        assertThat(Output.ids(relay.ndjsonDir())).hasSize(2);

        // still down: both fail again and stay, with the new reason
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = new ReplayDlqCommand(props, new PrintStream(out, true, StandardCharsets.UTF_8)).run("--sink", "webhook");
        assertThat(code).isEqualTo(1);
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("failed again 2");
        assertThat(Output.jsonFile(relay.dlqFile())).hasSize(3)
                .filteredOn(d -> "webhook".equals(d.get("sink").asText(null))).hasSize(2)
                .allSatisfy(d -> assertThat(d.get("status").asInt()).isEqualTo(503));

        receiver.answer(r -> WebhookReceiver.Answer.ok());
        out.reset();
        code = new ReplayDlqCommand(props, new PrintStream(out, true, StandardCharsets.UTF_8)).run("--sink", "webhook");

        assertThat(code).as(out.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(receiver.delivered).containsExactlyInAnyOrder(id("10000000"), id("20000000"));
        assertThat(Output.jsonFile(relay.dlqFile())).singleElement()
                .satisfies(d -> assertThat(d.get("raw").asText()).isEqualTo("not json"));
        assertThat(Output.ids(relay.ndjsonDir())).hasSize(2);

        // the remaining raw record fails mapping again: kept, non-zero exit
        out.reset();
        code = new ReplayDlqCommand(props, new PrintStream(out, true, StandardCharsets.UTF_8)).run();
        assertThat(code).isEqualTo(1);
        assertThat(Output.jsonFile(relay.dlqFile())).singleElement()
                .satisfies(d -> assertThat(d.get("error").asText()).startsWith("not valid JSON"));
        assertThat(receiver.delivered).hasSize(2);
    }
}
