package io.auditrelay.source.inbox;

import com.fasterxml.jackson.databind.JsonNode;
import io.auditrelay.event.AuditEvent;
import io.auditrelay.event.OneByOne;
import io.auditrelay.testing.Output;
import io.auditrelay.testing.RelayRunner;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The inbox endpoint in a Pipe-style route, as a user would bind it: {@code audit-inbox:<vendor>} then the
 * {@code audit-normalize-action} Kamelet (persistent dedupe, dead letters) then a sink that does not hide repeats.
 */
class InboxPipeTest {

    private static final String CRDB_ENTRY = "{\"id\":\"%s0b15ccd-6a87-4efc-ac7b-157ba172f957\",\"user_email\":\"ops@example.com\","
            + "\"cluster_id\":\"c-1\",\"action\":\"AUDIT_LOG_ACTION_CREATE_CLUSTER\",\"created_at\":\"2022-10-09T02:40:00.262143Z\"}";

    @TempDir
    Path dir;

    private final List<String> delivered = new CopyOnWriteArrayList<>();

    private static String entry(int i) {
        return CRDB_ENTRY.formatted(i);
    }

    private static String id(int i) {
        return "cockroachdb:" + i + "0b15ccd-6a87-4efc-ac7b-157ba172f957";
    }

    /** Starts inbox -> normalize action -> [fail the unit of file {@code failing}] -> collect the events. */
    private CamelContext start(String failing, AtomicBoolean failed) throws Exception {
        CamelContext context = new DefaultCamelContext();
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("audit-inbox:cockroachdb?directory=" + dir.resolve("inbox") + "&dlqDir=" + dir.resolve("dlq")
                        + "&pollInterval=100&retryDelay=60000")
                        .to("kamelet:audit-normalize-action?vendor=cockroachdb&stateDir=" + dir.resolve("state")
                                + "&dlqDir=" + dir.resolve("dlq"))
                        .process(exchange -> {
                            if (exchange.getMessage().getHeader(Exchange.FILE_NAME, String.class).equals(failing)) {
                                failed.set(true);
                                throw new IllegalStateException("the sink is down");
                            }
                            for (Iterator<?> events = OneByOne.of(exchange.getMessage().getBody()); events.hasNext(); ) {
                                delivered.add(((AuditEvent) events.next()).id());
                            }
                        });
            }
        });
        context.start();
        return context;
    }

    @Test
    void bad_record_dead_lettered_failed_file_read_again_after_a_restart_and_every_event_delivered_once() throws Exception {
        Path inbox = Files.createDirectories(dir.resolve("inbox/cockroachdb"));
        Files.writeString(inbox.resolve("a.jsonl"), entry(1) + "\nnot json\n" + entry(2) + "\n");
        Files.writeString(inbox.resolve("b.jsonl"), entry(3) + "\n");
        Files.writeString(inbox.resolve("c.jsonl"), entry(1) + "\n" + entry(4) + "\n");

        AtomicBoolean failed = new AtomicBoolean();
        try (CamelContext first = start("b.jsonl", failed)) {
            RelayRunner.await(Duration.ofSeconds(60), failed::get);
        }
        assertThat(delivered).containsExactly(id(1), id(2));
        assertThat(inbox.resolve(".done/a.jsonl")).exists();
        assertThat(inbox.resolve("b.jsonl")).exists();

        try (CamelContext second = start("none", new AtomicBoolean())) {
            RelayRunner.await(Duration.ofSeconds(60), () -> Files.exists(inbox.resolve(".done/c.jsonl")));
        }

        assertThat(delivered).containsExactly(id(1), id(2), id(3), id(4));
        List<JsonNode> dead = Output.jsonFile(dir.resolve("dlq/dead-letters.jsonl"));
        assertThat(dead).singleElement().satisfies(d -> {
            assertThat(d.get("source").asText()).isEqualTo("a.jsonl:2");
            assertThat(d.get("error").asText()).startsWith("not valid JSON");
        });
    }
}
