package io.auditrelay.spine;

import io.auditrelay.event.SourceRecord;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

class ChunkerTest {

    private static SourceRecord record(int size) {
        return SourceRecord.unparsable("conduktor", "x".repeat(size), "f:" + size, "test");
    }

    private static List<Integer> sizes(Iterator<List<Object>> chunks) {
        List<Integer> out = new ArrayList<>();
        chunks.forEachRemaining(c -> out.add(c.size()));
        return out;
    }

    @Test
    void small_records_make_chunks_of_the_record_count_and_large_ones_chunks_of_about_the_byte_budget() {
        Chunker chunker = new Chunker();

        assertThat(sizes(chunker.chunks(IntStream.range(0, 1200).mapToObj(i -> record(100)).iterator(), 500, 1 << 20)))
                .containsExactly(500, 500, 200);
        assertThat(sizes(chunker.chunks(IntStream.range(0, 10).mapToObj(i -> record(400_000)).toList(), 500, 1 << 20)))
                .containsExactly(3, 3, 3, 1);
        assertThat(sizes(chunker.chunks(List.of(record(5 << 20), record(10)), 500, 1 << 20)))
                .as("a record larger than the budget is a chunk of its own").containsExactly(1, 1);
        assertThat(chunker.chunks(List.of(), 500, 1 << 20).hasNext()).isFalse();
    }
}
