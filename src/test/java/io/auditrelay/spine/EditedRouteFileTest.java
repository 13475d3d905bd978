package io.auditrelay.spine;

import io.auditrelay.testing.Output;
import io.auditrelay.testing.RelayRunner;
import org.apache.camel.Exchange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A user edits a route file of the relay (here the inbox template, routes/source-inbox.yaml): adds a {@code filter} and
 * a second {@code to:} after the spine. Every guarantee holds: a file is done only when the whole edited route
 * completed, a failure in the user's own step leaves the file to be read again, and what the spine already delivered
 * is not delivered twice.
 */
class EditedRouteFileTest {

    private static final String ENTRY = "{\"id\":\"%s\",\"user_email\":\"ops@example.com\",\"cluster_id\":\"c-1\","
            + "\"cluster_name\":\"example-cluster\",\"action\":\"AUDIT_LOG_ACTION_CREATE_CLUSTER\",\"payload\":{},"
            + "\"metadata\":null,\"error\":\"\",\"created_at\":\"2022-10-09T02:40:00.262143Z\"}\n";

    @TempDir
    Path dir;

    /** The user's archive step: fails the first time it sees flaky.jsonl. */
    public static class Archive {
        final List<String> seen = new CopyOnWriteArrayList<>();

        public void archive(Exchange exchange) {
            String name = exchange.getMessage().getHeader(Exchange.FILE_NAME, String.class);
            seen.add(name);
            if (name.equals("flaky.jsonl") && seen.stream().filter(name::equals).count() == 1) {
                throw new IllegalStateException("archive not reachable");
            }
        }
    }

    @Test
    void a_filter_and_a_second_to_in_the_inbox_route_keep_ack_after_the_whole_route_and_no_duplicates() throws Exception {
        String template = Files.readString(Path.of("routes/source-inbox.yaml"));
        String spine = "          - to: direct:ingest-batch\n";
        assertThat(template).contains(spine);
        String edited = template.replace(spine, """
                          # files named ignore-* are not relayed (they still count as done)
                          - filter:
                              simple: "${header.CamelFileName.startsWith('ignore-')} == false"
                              steps:
                                - to: direct:ingest-batch
                                # and then the user's own archive step
                                - bean:
                                    ref: archive
                                    method: archive
                """);
        Path routes = dir.resolve("my-routes");
        Files.createDirectories(routes);
        Files.writeString(routes.resolve("my-inbox.yaml"), edited, StandardCharsets.UTF_8);

        // the relay's route files, with the edited inbox template instead of its own
        String include;
        try (var files = Files.list(Path.of("routes"))) {
            include = files.map(f -> f.getFileName().toString()).filter(f -> !f.equals("source-inbox.yaml"))
                    .map(f -> "classpath:routes/" + f).collect(Collectors.joining(","));
        }
        Archive archive = new Archive();
        RelayRunner relay = RelayRunner.inDir(dir).bind("archive", archive)
                .with("camel.main.routes-include-pattern", include + ",file:" + routes.resolve("my-inbox.yaml"));
        Path inbox = relay.inbox("cockroachdb");
        Files.createDirectories(inbox);
        Files.writeString(inbox.resolve("flaky.jsonl"), ENTRY.formatted("e-1") + ENTRY.formatted("e-2"));
        Files.writeString(inbox.resolve("good.jsonl"), ENTRY.formatted("e-3"));
        Files.writeString(inbox.resolve("ignore-me.jsonl"), ENTRY.formatted("e-4"));

        relay.runOnce();

        // the failed archive step left flaky.jsonl in the inbox, it was read again; the spine had already delivered
        // its events the first time, and the sinks hold each event once
        assertThat(archive.seen).containsExactly("flaky.jsonl", "flaky.jsonl", "good.jsonl");
        assertThat(Output.ids(relay.ndjsonDir())).containsExactlyInAnyOrder("cockroachdb:e-1", "cockroachdb:e-2", "cockroachdb:e-3");
        assertThat(Output.lines(relay.csvDir()).stream().filter(l -> !l.startsWith("id,")).map(l -> l.substring(0, l.indexOf(','))))
                .containsExactlyInAnyOrder("cockroachdb:e-1", "cockroachdb:e-2", "cockroachdb:e-3");
        // every file is done, the filtered one included; nothing was dead-lettered
        try (var left = Files.list(inbox)) {
            assertThat(left.map(p -> p.getFileName().toString())).containsExactly(".done");
        }
        try (var done = Files.list(inbox.resolve(".done"))) {
            assertThat(done.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder("flaky.jsonl", "good.jsonl", "ignore-me.jsonl");
        }
        assertThat(relay.dlqFile()).doesNotExist();
    }
}
