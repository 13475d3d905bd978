package io.auditrelay.spine;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class DeadLetterStoreTest {

    @TempDir
    Path dir;

    @Test
    void a_compaction_beside_another_process_appending_loses_none_of_its_lines_and_reads_no_half_line()
            throws Exception {
        Path log = dir.resolve("other.log");
        DeadLetterStore store = new DeadLetterStore(dir.resolve("dlq"), Clock.systemUTC(), new RelayStats(Clock.systemUTC()));
        store.recordUnreadable("astra", "replayed-here", "replayed, then removed");
        int lines = 3000;
        Process other = StoreProcess.start(log, null, "dead-letters", dir.resolve("dlq").toString(),
                String.valueOf(lines));
        int compactions = 0;
        try {
            // what a replay does over and over: read the store, then replace the entries it read
            while (other.isAlive() || compactions == 0) {
                List<JsonNode> read = store.entries();
                store.compact(read.size(), read.stream()
                        .filter(e -> !e.get("source").asText().equals("replayed-here")).toList());
                compactions++;
            }
            assertThat(other.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(other.exitValue()).as(Files.readString(log)).isZero();
        } finally {
            other.destroyForcibly();
        }

        List<String> sources = store.entries().stream().map(e -> e.get("source").asText()).toList();
        assertThat(sources).as("after %d compactions", compactions).hasSize(lines).doesNotHaveDuplicates()
                .allMatch(s -> s.startsWith("other-"));
    }
}
