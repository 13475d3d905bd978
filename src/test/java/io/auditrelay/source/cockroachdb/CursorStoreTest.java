package io.auditrelay.source.cockroachdb;

import io.auditrelay.source.cockroachdb.CursorStore.Cursor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CursorStoreTest {

    @TempDir
    Path dir;

    @Test
    void a_first_run_has_no_cursor() {
        assertThat(new CursorStore(dir.resolve("state")).read()).isEmpty();
    }

    @Test
    void saves_atomically_and_reads_back_the_exact_string_and_ids() throws Exception {
        CursorStore store = new CursorStore(dir.resolve("state"));
        store.save(new Cursor("2022-10-09T02:40:35.054818Z", Set.of("a")));
        store.save(new Cursor("2022-10-09T02:40:35.054819Z", Set.of("b", "c")));

        Cursor read = new CursorStore(dir.resolve("state")).read().orElseThrow();
        assertThat(read.startingFrom()).isEqualTo("2022-10-09T02:40:35.054819Z");
        assertThat(read.deliveredIds()).containsExactlyInAnyOrder("b", "c");
        try (Stream<Path> files = Files.list(dir.resolve("state"))) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly(CursorStore.FILE_NAME);
        }
    }

    @Test
    void a_leftover_temp_file_from_a_crash_does_not_affect_the_saved_cursor() throws Exception {
        CursorStore store = new CursorStore(dir);
        store.save(new Cursor("2024-01-01T00:00:00.000001Z", Set.of()));
        Files.writeString(dir.resolve(CursorStore.FILE_NAME + ".tmp"), "{\"starting_fr");

        assertThat(store.read().orElseThrow().startingFrom()).isEqualTo("2024-01-01T00:00:00.000001Z");
        store.save(new Cursor("2024-01-01T00:00:00.000002Z", Set.of()));
        assertThat(store.read().orElseThrow().startingFrom()).isEqualTo("2024-01-01T00:00:00.000002Z");
    }

    @Test
    void a_corrupt_cursor_file_is_a_clear_error() throws Exception {
        Files.writeString(dir.resolve(CursorStore.FILE_NAME), "not json");
        assertThatThrownBy(() -> new CursorStore(dir).read()).hasMessageContaining("cannot read the CockroachDB cursor");
    }
}
