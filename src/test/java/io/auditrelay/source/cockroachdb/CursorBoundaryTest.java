package io.auditrelay.source.cockroachdb;

import com.fasterxml.jackson.databind.JsonNode;
import io.auditrelay.mapper.Json;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The poller against the stand-in, which writes timestamps as the API's proto3 JSON does (0, 3, 6 or 9 fraction
 * digits, so string order is not time order): every page boundary and window bound is compared as an instant, and
 * each entry comes exactly once, whatever the page size, the order and a restart between pages. No dedupe store in
 * between: a repeated entry would show.
 */
class CursorBoundaryTest {

    @TempDir
    Path dir;

    private FakeCockroachCloud api;

    @BeforeEach
    void setUp() throws Exception {
        api = new FakeCockroachCloud();
        // in time order; each instant's proto3 form has the digits in the comment
        api.add("a1", "2024-05-01T09:59:59.999999999Z")         // 9
                .add("b1", "2024-05-01T10:00:00Z").add("b2", "2024-05-01T10:00:00.000Z") // 0 (same instant twice)
                .add("c1", "2024-05-01T10:00:00.000000001Z")     // 9
                .add("d1", "2024-05-01T10:00:00.5Z").add("d2", "2024-05-01T10:00:00.500000Z") // 3
                .add("e1", "2024-05-01T10:00:00.500001Z")        // 6
                .add("f1", "2024-05-01T10:00:00.500001001Z").add("f2", "2024-05-01T10:00:00.500001001Z") // 9
                .add("g1", "2024-05-01T10:00:01Z")               // 0
                .add("h1", "2024-05-01T10:00:01.100Z").add("h2", "2024-05-01T10:00:01.1Z").add("h3", "2024-05-01T10:00:01.100000000Z") // 3
                .add("i1", "2024-05-01T10:00:01.123456Z")        // 6
                .add("j1", "2024-05-01T10:00:02Z");              // 0
    }

    @AfterEach
    void tearDown() {
        api.close();
    }

    private static final List<String> ALL = List.of("a1", "b1", "b2", "c1", "d1", "d2", "e1", "f1", "f2", "g1", "h1", "h2", "h3", "i1", "j1");

    @Test
    void the_stand_in_writes_zero_three_six_and_nine_fraction_digits() {
        List<String> times = drain(settings(3, null, null, CockroachDbSettings.SortOrder.ASC), "asc", false).stream()
                .map(t -> field(t, "created_at")).toList();
        Set<Integer> digits = new TreeSet<>();
        for (String time : times) {
            int dot = time.indexOf('.');
            digits.add(dot < 0 ? 0 : time.length() - dot - 2);
        }
        assertThat(digits).containsExactly(0, 3, 6, 9);
        assertThat(times).contains("2024-05-01T10:00:00Z", "2024-05-01T10:00:00.500Z", "2024-05-01T10:00:00.500001Z",
                "2024-05-01T10:00:00.500001001Z");
    }

    @Test
    void every_page_size_reads_each_entry_once_in_time_order() {
        for (int pageSize = 1; pageSize <= 6; pageSize++) {
            List<String> ids = ids(drain(settings(pageSize, null, null, CockroachDbSettings.SortOrder.ASC), "asc-" + pageSize, false));
            assertThat(ids).as("page size " + pageSize).containsExactlyElementsOf(ALL);
        }
    }

    @Test
    void a_restart_after_every_page_neither_skips_nor_repeats() {
        for (int pageSize = 1; pageSize <= 4; pageSize++) {
            List<String> ids = ids(drain(settings(pageSize, null, null, CockroachDbSettings.SortOrder.ASC), "restart-" + pageSize, true));
            assertThat(ids).as("page size " + pageSize).containsExactlyElementsOf(ALL);
        }
    }

    @Test
    void a_next_starting_from_written_with_other_digits_than_created_at_repeats_nothing() {
        api.nextWithNineDigits(true); // "...00.500000000Z" for the entries created at "...00.500Z"
        for (int pageSize = 1; pageSize <= 4; pageSize++) {
            List<String> ids = ids(drain(settings(pageSize, null, null, CockroachDbSettings.SortOrder.ASC), "nine-" + pageSize, pageSize > 2));
            assertThat(ids).as("page size " + pageSize).containsExactlyElementsOf(ALL);
        }
    }

    @Test
    void a_cursor_saved_in_another_form_of_the_same_instant_repeats_nothing() {
        // saved with six digits (an earlier run, a hand-edited file); the API now writes that instant as "...00.500Z"
        new CursorStore(dir, "saved").save(new CursorStore.Cursor("2024-05-01T10:00:00.500000Z", Set.of("d1", "d2")));

        List<String> ids = ids(drain(settings(2, null, null, CockroachDbSettings.SortOrder.ASC), "saved", false));

        assertThat(ids).containsExactly("e1", "f1", "f2", "g1", "h1", "h2", "h3", "i1", "j1");
    }

    @Test
    void a_window_keeps_entries_from_start_inclusive_to_until_exclusive_compared_as_instants() {
        // "2024-05-01T10:00:01.100Z" sorts before "2024-05-01T10:00:01Z" as text; as instants it is after it
        for (int pageSize = 1; pageSize <= 4; pageSize++) {
            List<String> ids = ids(drain(settings(pageSize, "2024-05-01T10:00:00.000Z", "2024-05-01T10:00:01.000000000Z",
                    CockroachDbSettings.SortOrder.ASC), "window-" + pageSize, pageSize % 2 == 0));
            assertThat(ids).as("page size " + pageSize).containsExactly("b1", "b2", "c1", "d1", "d2", "e1", "f1", "f2");
        }
    }

    @Test
    void read_descending_a_window_comes_newest_first_with_the_same_entries() {
        for (int pageSize = 1; pageSize <= 4; pageSize++) {
            List<String> ids = ids(drain(settings(pageSize, "2024-05-01T10:00:00.5Z", "2024-05-01T10:00:01.123456000Z",
                    CockroachDbSettings.SortOrder.DESC), "desc-" + pageSize, pageSize % 2 == 1));
            // the stand-in serves equal timestamps in reverse insertion order when DESC
            assertThat(ids).as("page size " + pageSize).containsExactly("h3", "h2", "h1", "g1", "f2", "f1", "e1", "d2", "d1");
            assertThat(api.requests()).filteredOn(r -> "DESC".equals(r.sortOrder())).isNotEmpty();
        }
    }

    @Test
    void a_complete_window_asks_nothing_more() {
        CockroachDbSettings window = settings(2, "2024-05-01T10:00:00Z", "2024-05-01T10:00:00.500001Z", CockroachDbSettings.SortOrder.ASC);
        assertThat(ids(drain(window, "done", false))).containsExactly("b1", "b2", "c1", "d1", "d2");
        int requests = api.requests().size();

        assertThat(drain(window, "done", false)).isEmpty();
        assertThat(api.requests()).hasSize(requests);
        assertThat(new CursorStore(dir, "done").read().orElseThrow().complete()).isTrue();
    }

    // ------------------------------------------------------------------ helpers

    private CockroachDbSettings settings(int pageSize, String startFrom, String until, CockroachDbSettings.SortOrder order) {
        return new CockroachDbSettings(api.url(), FakeCockroachCloud.KEY, FakeCockroachCloud.VERSION, pageSize, startFrom, until, order,
                Duration.ofMillis(100), Duration.ofMillis(50), Duration.ofMillis(200), Duration.ofSeconds(5), 1000, dir);
    }

    /** Pages until the drain ends; with {@code restart} a new poller (reading the saved cursor) fetches each page. */
    private List<String> drain(CockroachDbSettings settings, String name, boolean restart) {
        List<String> delivered = new ArrayList<>();
        CockroachDbPoller poller = poller(settings, name);
        poller.beginPoll();
        int guard = 0;
        while (poller.hasMore()) {
            assertThat(++guard).as("pages").isLessThan(200);
            CockroachDbPoller.Page page = poller.nextPage();
            assertThat(page).isNotNull();
            delivered.addAll(page.entries());
            poller.commit(page);
            if (restart && poller.hasMore()) {
                poller = poller(settings, name);
                poller.beginPoll();
            }
        }
        return delivered;
    }

    private CockroachDbPoller poller(CockroachDbSettings settings, String name) {
        return new CockroachDbPoller(settings, new AuditLogClient(settings, Clock.systemUTC()), new CursorStore(dir, name),
                () -> true, new CockroachDbPoller.Listener() { });
    }

    private static List<String> ids(List<String> entries) {
        return entries.stream().map(t -> field(t, "id")).toList();
    }

    private static String field(String json, String name) {
        try {
            JsonNode node = Json.MAPPER.readTree(json);
            return node.get(name).asText();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
