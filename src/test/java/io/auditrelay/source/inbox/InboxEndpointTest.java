package io.auditrelay.source.inbox;

import com.fasterxml.jackson.databind.JsonNode;
import io.auditrelay.event.Headers;
import io.auditrelay.spine.OnceCoordinator;
import io.auditrelay.spine.RelayStats;
import io.auditrelay.event.SourceRecord;
import io.auditrelay.testing.Output;
import io.auditrelay.testing.RelayRunner;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;

/** The {@code audit-inbox:<vendor>} endpoint on its own, in a plain Camel context (no relay beans in the registry). */
class InboxEndpointTest {

    private static final String CRDB_ENTRY = "{\"id\":\"40b15ccd-6a87-4efc-ac7b-157ba172f957\",\"user_email\":\"ops@example.com\","
            + "\"action\":\"AUDIT_LOG_ACTION_CREATE_CLUSTER\",\"created_at\":\"2022-10-09T02:40:00.262143Z\"}";
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private final List<String> received = Collections.synchronizedList(new ArrayList<>());
    private CamelContext context;

    @AfterEach
    void stop() {
        if (context != null) {
            context.stop();
        }
    }

    private Path inbox(String vendor) throws Exception {
        return Files.createDirectories(dir.resolve("inbox").resolve(vendor));
    }

    private static String entry(int i) {
        return CRDB_ENTRY.replace("40b15ccd", i + "0b15ccd");
    }

    private String uri(String vendor, String options) {
        return "audit-inbox:" + vendor + "?directory=" + dir.resolve("inbox") + "&dlqDir=" + dir.resolve("dlq") + options;
    }

    /** A context with one route from the inbox; {@code step} sees each exchange after its records were drained. */
    private CamelContext start(String vendor, String options, Consumer<Exchange> step) throws Exception {
        DefaultCamelContext camel = new DefaultCamelContext();
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from(uri(vendor, options)).routeId("inbox-test").process(exchange -> {
                    String name = exchange.getMessage().getHeader(Exchange.FILE_NAME, String.class);
                    assertThat(exchange.getMessage().getHeader(Headers.VENDOR)).isEqualTo(vendor);
                    assertThat(exchange.getMessage().getHeader(Headers.LOCATION)).isEqualTo(name);
                    @SuppressWarnings("unchecked")
                    Iterator<SourceRecord> records = exchange.getMessage().getBody(Iterator.class);
                    List<String> locations = new ArrayList<>();
                    while (records.hasNext()) {
                        locations.add(records.next().location());
                    }
                    step.accept(exchange);
                    received.add(name + " " + locations);
                });
            }
        });
        camel.start();
        context = camel;
        return camel;
    }

    private CamelContext start(String vendor, String options) throws Exception {
        return start(vendor, options, exchange -> { });
    }

    @Test
    void each_file_is_one_exchange_in_name_order_and_moves_to_done_including_an_empty_one() throws Exception {
        Path inbox = inbox("cockroachdb");
        Files.writeString(inbox.resolve("b.jsonl"), entry(2) + "\n" + entry(3) + "\n");
        Files.writeString(inbox.resolve("a.jsonl"), entry(1) + "\n");
        Files.write(inbox.resolve("c-empty.jsonl"), new byte[0]);
        Files.writeString(inbox.resolve(".hidden.jsonl"), entry(4) + "\n");

        start("cockroachdb", "&pollInterval=100");
        RelayRunner.await(WAIT, () -> received.size() == 3);

        assertThat(received).containsExactly("a.jsonl [a.jsonl:1]", "b.jsonl [b.jsonl:1, b.jsonl:2]", "c-empty.jsonl []");
        RelayRunner.await(WAIT, () -> Files.exists(inbox.resolve(".done/c-empty.jsonl")));
        try (var left = Files.list(inbox)) {
            assertThat(left.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder(".done", ".hidden.jsonl");
        }
        try (var done = Files.list(inbox.resolve(".done"))) {
            assertThat(done.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder("a.jsonl", "b.jsonl", "c-empty.jsonl");
        }
    }

    @Test
    void the_airkit_verify_file_is_skipped_unread_and_moved_to_done() throws Exception {
        Path inbox = inbox("airkit");
        Files.writeString(inbox.resolve("airkit-verify-test-1717236000"), "verify");
        Files.writeString(inbox.resolve("z.ndjson"), "{\"EVENT_ID\":\"e-1\"}\n");

        start("airkit", "&pollInterval=100");
        RelayRunner.await(WAIT, () -> Files.exists(inbox.resolve(".done/z.ndjson")));

        assertThat(received).containsExactly("z.ndjson [z.ndjson:1]");
        assertThat(inbox.resolve(".done/airkit-verify-test-1717236000")).exists();
        assertThat(Output.jsonFile(dir.resolve("dlq/dead-letters.jsonl"))).isEmpty();
    }

    @Test
    void a_file_still_being_written_is_read_only_once_its_size_and_time_stop_changing() throws Exception {
        Path inbox = inbox("cockroachdb");
        Path growing = inbox.resolve("growing.jsonl");
        Files.writeString(growing, entry(0) + "\n");

        start("cockroachdb", "&pollInterval=1000");
        for (int i = 1; i <= 40; i++) {
            // appended every 50 ms, so every look of the inbox (1 s apart) sees another size
            Files.writeString(growing, entry(i) + "\n", StandardOpenOption.APPEND);
            assertThat(received).as("read while it was growing").isEmpty();
            Thread.sleep(50);
        }
        RelayRunner.await(WAIT, () -> received.size() == 1);

        assertThat(received.get(0)).startsWith("growing.jsonl [growing.jsonl:1,").endsWith("growing.jsonl:41]");
        RelayRunner.await(WAIT, () -> Files.exists(inbox.resolve(".done/growing.jsonl")));
    }

    @Test
    void a_failed_route_leaves_the_file_to_be_read_again_and_the_next_files_wait_for_it() throws Exception {
        Path inbox = inbox("cockroachdb");
        Files.writeString(inbox.resolve("a.jsonl"), entry(1) + "\n");
        Files.writeString(inbox.resolve("b.jsonl"), entry(2) + "\n");
        Files.writeString(inbox.resolve("c.jsonl"), entry(3) + "\n");
        Set<String> failedOnce = ConcurrentHashMap.newKeySet();

        start("cockroachdb", "&pollInterval=100&retryDelay=200", exchange -> {
            String name = exchange.getMessage().getHeader(Exchange.FILE_NAME, String.class);
            if (name.equals("b.jsonl") && failedOnce.add(name)) {
                received.add(name + " failed");
                throw new IllegalStateException("a sink is down");
            }
        });
        RelayRunner.await(WAIT, () -> Files.exists(inbox.resolve(".done/c.jsonl")));

        assertThat(received).containsExactly("a.jsonl [a.jsonl:1]", "b.jsonl failed", "b.jsonl [b.jsonl:1]",
                "c.jsonl [c.jsonl:1]");
        assertThat(inbox.resolve(".error")).doesNotExist();
        assertThat(Output.jsonFile(dir.resolve("dlq/dead-letters.jsonl"))).isEmpty();
    }

    @Test
    void a_restart_reads_again_only_the_files_that_were_not_acknowledged() throws Exception {
        Path inbox = inbox("cockroachdb");
        for (String name : List.of("a", "b", "c")) {
            Files.writeString(inbox.resolve(name + ".jsonl"), entry(name.charAt(0) - 'a') + "\n");
        }
        start("cockroachdb", "&pollInterval=100&retryDelay=60000", exchange -> {
            if ("b.jsonl".equals(exchange.getMessage().getHeader(Exchange.FILE_NAME))) {
                received.add("b.jsonl failed");
                throw new IllegalStateException("crash before the acknowledgement");
            }
        });
        RelayRunner.await(WAIT, () -> received.contains("b.jsonl failed"));
        context.stop();
        assertThat(received).containsExactly("a.jsonl [a.jsonl:1]", "b.jsonl failed");
        received.clear();

        start("cockroachdb", "&pollInterval=100");
        RelayRunner.await(WAIT, () -> Files.exists(inbox.resolve(".done/c.jsonl")));

        assertThat(received).containsExactly("b.jsonl [b.jsonl:1]", "c.jsonl [c.jsonl:1]");
    }

    @Test
    void unreadable_files_are_dead_lettered_and_moved_to_error_and_the_others_go_on() throws Exception {
        Path inbox = inbox("astra");
        Files.writeString(inbox.resolve("1-wrong-header.csv"), "when,who,what\n2024-01-01,me,DB_CREATED\n");
        Files.write(inbox.resolve("2-blob.csv"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 0, 0, 0, 1});
        // a gzip cut in the middle: readable at first, broken further on; the lines before the break are records,
        // the rest is one unparsable record (dead-lettered by the spine) and the file is done with
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < 20_000; i++) {
            lines.append("{\"typename\":\"AuditEvent\",\"userID\":\"u-").append(i * 7919L % 100_003).append("\"}\n");
        }
        byte[] gzip = gzip(lines.toString().getBytes(StandardCharsets.UTF_8));
        Files.write(inbox.resolve("3-cut.jsonl.gz"), java.util.Arrays.copyOf(gzip, gzip.length / 2));
        Files.writeString(inbox.resolve("4-good.jsonl"), "{\"typename\":\"AuditEvent\"}\n");

        start("astra", "&pollInterval=100");
        RelayRunner.await(WAIT, () -> Files.exists(inbox.resolve(".done/4-good.jsonl")));

        assertThat(received).hasSize(2);
        assertThat(received.get(1)).isEqualTo("4-good.jsonl [4-good.jsonl:1]");
        String cut = received.get(0);
        assertThat(cut).startsWith("3-cut.jsonl.gz [3-cut.jsonl.gz:1, 3-cut.jsonl.gz:2, ").matches("(?s).*, 3-cut\\.jsonl\\.gz:\\d+-\\]");
        assertThat(inbox.resolve(".error/1-wrong-header.csv")).exists();
        assertThat(inbox.resolve(".error/2-blob.csv")).exists();
        assertThat(inbox.resolve(".done/3-cut.jsonl.gz")).exists();
        List<JsonNode> dead = Output.jsonFile(dir.resolve("dlq/dead-letters.jsonl"));
        assertThat(dead).extracting(d -> d.get("vendor").asText() + " " + d.get("source").asText() + " | " + d.get("error").asText())
                .satisfiesExactly(
                        d -> assertThat(d).startsWith("astra " + inbox.resolve("1-wrong-header.csv") + " | wrong CSV header"),
                        d -> assertThat(d).startsWith("astra " + inbox.resolve("2-blob.csv") + " | binary content"));
    }

    @Test
    void a_symlink_out_of_the_inbox_is_never_followed_and_does_not_hold_up_the_drain() throws Exception {
        Path inbox = inbox("cockroachdb");
        Path outside = Files.writeString(dir.resolve("secret.jsonl"), entry(9) + "\n");
        Files.createSymbolicLink(inbox.resolve("link-out.jsonl"), outside);
        Files.createSymbolicLink(inbox.resolve("link-up"), dir);
        Files.writeString(inbox.resolve("real.jsonl"), entry(1) + "\n");
        List<String> drained = Collections.synchronizedList(new ArrayList<>());
        List<String> expected = Collections.synchronizedList(new ArrayList<>());

        DefaultCamelContext camel = new DefaultCamelContext();
        camel.getRegistry().bind("onceCoordinator", new OnceCoordinator(camel, new RelayStats(Clock.systemUTC()), false) {
            @Override
            public synchronized void expect(String source) {
                expected.add(source);
            }

            @Override
            public synchronized void drained(String source) {
                drained.add(source);
            }
        });
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from(uri("cockroachdb", "&pollInterval=100")).process(exchange ->
                        received.add(exchange.getMessage().getHeader(Exchange.FILE_NAME, String.class)));
            }
        });
        camel.start();
        context = camel;
        RelayRunner.await(WAIT, () -> !drained.isEmpty());

        assertThat(expected).containsExactly("inbox:cockroachdb");
        assertThat(drained).first().isEqualTo("inbox:cockroachdb");
        assertThat(received).containsExactly("real.jsonl");
        assertThat(inbox.resolve("link-out.jsonl")).isSymbolicLink();
        assertThat(inbox.resolve(".done/link-out.jsonl")).doesNotExist();
        assertThat(outside).hasContent(entry(9));
    }

    private static byte[] gzip(byte[] bytes) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(bytes);
        }
        return out.toByteArray();
    }
}
