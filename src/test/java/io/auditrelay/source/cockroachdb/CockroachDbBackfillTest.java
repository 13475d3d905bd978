package io.auditrelay.source.cockroachdb;

import io.auditrelay.command.BackfillCommand;
import io.auditrelay.spine.DedupeRepository;
import io.auditrelay.testing.Output;
import io.auditrelay.testing.RelayProcess;
import io.auditrelay.testing.RelayRunner;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Windows of the CockroachDB Cloud audit log: {@code relay.source.cockroachdb.until} on the relay's source, and the
 * {@code backfill cockroachdb --from --until} command with a cursor of its own, killed with SIGKILL and resumed.
 */
class CockroachDbBackfillTest {

    @TempDir
    Path dir;

    private FakeCockroachCloud api;
    private final List<RelayProcess> processes = new ArrayList<>();
    private final List<RelayRunner> running = new ArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        api = new FakeCockroachCloud();
        // w00..w19 one second apart from 10:00:00, in the forms proto3 writes (10:00:05Z, 10:00:06.500Z, ...)
        for (int i = 0; i < 20; i++) {
            String fraction = i % 4 == 0 ? "" : i % 4 == 1 ? ".500" : i % 4 == 2 ? ".500001" : ".500000001";
            api.add(String.format("w%02d", i), String.format("2024-05-01T10:00:%02d%sZ", i, fraction));
        }
    }

    @AfterEach
    void tearDown() {
        processes.forEach(RelayProcess::kill);
        running.forEach(RelayRunner::stop);
        api.close();
    }

    private RelayRunner relay() {
        RelayRunner relay = RelayRunner.inDir(dir)
                .with("relay.inbox.enabled", "false")
                .with("relay.sinks", "ndjson")
                .with("relay.source.cockroachdb.url", api.url())
                .with("relay.source.cockroachdb.api-key", FakeCockroachCloud.KEY)
                .with("relay.source.cockroachdb.page-size", "3")
                .with("relay.source.cockroachdb.backoff", "100ms")
                .with("relay.source.cockroachdb.poll-interval", "300ms");
        running.add(relay);
        return relay;
    }

    private static List<String> window(int from, int until) {
        return IntStream.range(from, until).mapToObj(i -> String.format("cockroachdb:w%02d", i)).toList();
    }

    @Test
    void the_relay_source_with_until_reads_the_window_and_a_relay_once_run_ends() throws Exception {
        RelayRunner relay = relay().with("relay.source.cockroachdb.enabled", "true")
                .with("relay.source.cockroachdb.start-from", "2024-05-01T10:00:03.000Z")
                .with("relay.source.cockroachdb.until", "2024-05-01T10:00:09.5Z");

        relay.runOnce(Duration.ofSeconds(30));

        // w09 is at 10:00:09.500Z: the exclusive bound; "10:00:09.5Z" would sort after "10:00:09.500001Z" as text
        assertThat(Output.ids(relay.ndjsonDir())).containsExactlyElementsOf(window(3, 9));
        assertThat(new CursorStore(dir.resolve("state")).read().orElseThrow().complete()).isTrue();
    }

    @Test
    void the_relay_source_reads_a_window_backward_with_sort_order_desc() throws Exception {
        RelayRunner relay = relay().with("relay.source.cockroachdb.enabled", "true")
                .with("relay.source.cockroachdb.start-from", "2024-05-01T10:00:13.5Z")
                .with("relay.source.cockroachdb.until", "2024-05-01T10:00:18Z")
                .with("relay.source.cockroachdb.sort-order", "DESC");

        relay.runOnce(Duration.ofSeconds(30));

        assertThat(Output.ids(relay.ndjsonDir())).containsExactly("cockroachdb:w17", "cockroachdb:w16", "cockroachdb:w15",
                "cockroachdb:w14", "cockroachdb:w13");
        assertThat(api.requests()).allMatch(r -> "DESC".equals(r.sortOrder()));
    }

    @Test
    void backfill_reads_exactly_the_window_and_leaves_the_live_cursor_alone() throws Exception {
        RelayRunner live = relay().with("relay.source.cockroachdb.enabled", "true")
                .with("relay.source.cockroachdb.start-from", "2024-05-01T10:00:15Z");
        live.runOnce(Duration.ofSeconds(30));
        assertThat(Output.ids(live.ndjsonDir())).containsExactlyElementsOf(window(15, 20));
        Path liveCursor = dir.resolve("state").resolve(CursorStore.FILE_NAME);
        String liveBefore = Files.readString(liveCursor);

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = new BackfillCommand(live.properties(), new PrintStream(out, true, StandardCharsets.UTF_8), null)
                .run("cockroachdb", "--from", "2024-05-01T10:00:02Z", "--until", "2024-05-01T10:00:07.5Z");

        assertThat(code).as(out.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(Output.ids(live.ndjsonDir())).containsExactlyElementsOf(concat(window(15, 20), window(2, 7)));
        assertThat(Files.readString(liveCursor)).isEqualTo(liveBefore);
        assertThat(new CursorStore(dir.resolve("state"), "cockroachdb-backfill-20240501T100002Z-20240501T100007500Z")
                .read().orElseThrow().complete()).isTrue();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("was read");

        int requests = api.requests().size();
        code = new BackfillCommand(live.properties(), new PrintStream(out, true, StandardCharsets.UTF_8), null)
                .run("cockroachdb", "--from=2024-05-01T10:00:02Z", "--until=2024-05-01T10:00:07.5Z");
        assertThat(code).isZero();
        assertThat(api.requests()).as("a complete window is not read again").hasSize(requests);
    }

    @Test
    void a_window_that_ends_in_the_future_is_read_up_to_now_and_not_marked_complete() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = new BackfillCommand(relay().properties(), new PrintStream(out, true, StandardCharsets.UTF_8), null)
                .run("cockroachdb", "--from", "2024-05-01T10:00:15Z", "--until", "2999-01-01T00:00:00Z");

        assertThat(code).as(out.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(Output.ids(dir.resolve("out/ndjson"))).containsExactlyElementsOf(window(15, 20));
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("the window ends later");
        assertThat(new CursorStore(dir.resolve("state"), "cockroachdb-backfill-20240501T100015Z-29990101T000000Z")
                .read().orElseThrow().complete()).isFalse();
    }

    @Test
    void backfill_rejects_wrong_arguments() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);
        assertThat(new BackfillCommand(Map.of(), print, null).run("airkit", "--from", "2024-05-01T00:00:00Z")).isEqualTo(2);
        assertThat(new BackfillCommand(Map.of(), print, null).run("cockroachdb", "--from", "2024-05-02T00:00:00Z",
                "--until", "2024-05-01T00:00:00Z")).isEqualTo(2);
        assertThat(new BackfillCommand(Map.of(), print, null).run("cockroachdb", "--from", "yesterday",
                "--until", "2024-05-01T00:00:00Z")).isEqualTo(2);
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("only the cockroachdb source").contains("earlier than --until")
                .contains("ISO-8601");
    }

    @Test
    void a_backfill_killed_with_sigkill_resumes_from_its_own_cursor_without_loss_or_duplicates() throws Exception {
        api.delay(Duration.ofMillis(400));
        Map<String, String> props = relay().with("relay.source.cockroachdb.page-size", "2").properties();
        List<String> args = List.of("backfill", "cockroachdb", "--from", "2024-05-01T10:00:01Z", "--until", "2024-05-01T10:00:19Z");
        Path cursor = dir.resolve("state").resolve("cockroachdb-backfill-20240501T100001Z-20240501T100019Z-cursor.json");
        Path ndjson = Path.of(props.get("relay.sink.ndjson.dir"));

        RelayProcess first = RelayProcess.start(props, dir.resolve("first.log"), List.of(), args);
        processes.add(first);
        RelayRunner.await(Duration.ofSeconds(90), () -> Output.ids(ndjson).size() >= 4 || !first.isAlive());
        first.kill();
        List<String> beforeRestart = Output.ids(ndjson);
        assertThat(beforeRestart).as(first.log()).hasSizeBetween(4, 17);
        assertThat(Files.exists(cursor)).isTrue();
        assertThat(new CursorStore(dir.resolve("state"), "cockroachdb-backfill-20240501T100001Z-20240501T100019Z")
                .read().orElseThrow().complete()).isFalse();
        int requests = api.requests().size();

        api.delay(Duration.ZERO);
        RelayProcess second = RelayProcess.start(props, dir.resolve("second.log"), List.of(), args);
        processes.add(second);
        assertThat(second.waitFor(Duration.ofSeconds(90))).as(second.log()).isZero();

        assertThat(Output.ids(ndjson)).containsExactlyInAnyOrderElementsOf(window(1, 19)).doesNotHaveDuplicates();
        // the second run started where the first one's cursor was, not at --from
        assertThat(api.requests().get(requests).startingFrom()).isNotNull().isNotEqualTo("2024-05-01T10:00:01Z");
        assertThat(Files.exists(dir.resolve("state").resolve(CursorStore.FILE_NAME))).as("the live cursor").isFalse();
        assertThat(second.log()).contains("was read");
    }

    @Test
    void a_backfill_runs_beside_the_running_relay_on_its_state_directory_and_skips_what_the_relay_delivered()
            throws Exception {
        RelayRunner live = relay().with("relay.source.cockroachdb.enabled", "true")
                .with("relay.source.cockroachdb.start-from", "2024-05-01T10:00:15Z");
        live.start();
        Path liveIds = dir.resolve("state").resolve("dedupe-ids.txt");
        RelayRunner.await(Duration.ofSeconds(60), () -> Output.ids(live.ndjsonDir()).size() == 5
                && Files.exists(liveIds) && lines(liveIds) == 5);
        List<String> args = List.of("backfill", "cockroachdb", "--from", "2024-05-01T10:00:10Z",
                "--until", "2024-05-01T10:00:17Z");
        Map<String, String> props = new HashMap<>(live.properties());
        props.remove("relay.once"); // the live relay's false, which a -D would give the command too

        // the relay's own folder: refused with the reason, nothing written
        RelayProcess sameFolder = RelayProcess.start(props, dir.resolve("same-folder.log"), List.of(), args);
        processes.add(sameFolder);
        assertThat(sameFolder.waitFor(Duration.ofSeconds(90))).as(sameFolder.log()).isNotNull().isNotZero();
        assertThat(sameFolder.log()).contains("The ndjson sink's folder " + live.ndjsonDir() + " is in use");
        assertThat(Output.ids(live.ndjsonDir())).containsExactlyElementsOf(window(15, 20));

        // a folder of its own; the same state directory and management port as the running relay
        Path backfillOut = dir.resolve("out/backfill");
        props.put("relay.sink.ndjson.dir", backfillOut.toString());
        RelayProcess backfill = RelayProcess.start(props, dir.resolve("backfill.log"), List.of(), args);
        processes.add(backfill);
        assertThat(backfill.waitFor(Duration.ofSeconds(90))).as(backfill.log()).isZero();

        assertThat(Output.ids(backfillOut)).as("w15 and w16 were delivered by the relay")
                .containsExactlyElementsOf(window(10, 15));
        assertThat(backfill.log()).doesNotContain("Address already in use").contains("was read");
        api.add("w20", "2024-05-01T10:00:20Z");
        RelayRunner.await(Duration.ofSeconds(60), () -> Output.ids(live.ndjsonDir()).size() == 6);
        assertThat(Output.ids(live.ndjsonDir())).containsExactlyElementsOf(window(15, 21));
        RelayRunner.await(Duration.ofSeconds(30), () -> lines(liveIds) == 6);
        live.stop();

        RelayRunner again = RelayRunner.inDir(dir).with("relay.inbox.enabled", "false");
        running.add(again);
        again.start();
        assertThat(again.context().getRegistry().lookupByNameAndType("dedupeRepository", DedupeRepository.class)
                .size()).as("the relay's ids and the backfill's, in one store again").isEqualTo(11);
    }

    @Test
    void a_backfill_that_relay_once_false_would_keep_running_stops_and_says_why() throws Exception {
        Map<String, String> props = new HashMap<>(relay().properties());
        props.put("relay.once", "false"); // as a -D option, which beats the command's override
        RelayProcess backfill = RelayProcess.start(props, dir.resolve("backfill.log"), List.of(),
                List.of("backfill", "cockroachdb", "--from", "2024-05-01T10:00:10Z", "--until", "2024-05-01T10:00:12Z"));
        processes.add(backfill);
        assertThat(backfill.waitFor(Duration.ofSeconds(90))).as(backfill.log()).isEqualTo(2);
        assertThat(backfill.log()).contains("relay.once is false here");
    }

    private static long lines(Path file) {
        try {
            return Files.readAllLines(file).size();
        } catch (IOException e) {
            return -1;
        }
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
