package io.auditrelay.spine;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class DedupeFileTailTest {

    @TempDir
    Path dir;

    private final List<String> read = new ArrayList<>();

    private void collect(long high, long low, long content) {
        read.add(Long.toHexString(high) + "/" + Long.toHexString(low) + "/" + Long.toHexString(content));
    }

    private static String line(long high, long low, long content) {
        return String.format("%016x%016x%016x%n", high, low, content);
    }

    @Test
    void reads_each_complete_line_once_as_the_file_grows() throws Exception {
        Path file = dir.resolve("dedupe-ids-1.txt");
        StringBuilder many = new StringBuilder();
        for (int i = 1; i <= 3000; i++) { // more than one read buffer
            many.append(line(i, i, i));
        }
        Files.writeString(file, many);
        try (DedupeFileTail tail = new DedupeFileTail(file)) {
            assertThat(tail.read(this::collect)).isTrue();
            assertThat(read).hasSize(3000).startsWith("1/1/1").endsWith("bb8/bb8/bb8");

            read.clear();
            assertThat(tail.read(this::collect)).isTrue();
            assertThat(read).as("nothing new").isEmpty();

            String next = line(0xabc, 0xdef, 0);
            Files.writeString(file, next.substring(0, 30), StandardOpenOption.APPEND);
            tail.read(this::collect);
            assertThat(read).as("a line not ended yet").isEmpty();
            Files.writeString(file, next.substring(30) + "0123456789abcdef0123456789abcdef\n",
                    StandardOpenOption.APPEND);
            tail.read(this::collect);
            assertThat(read).containsExactly("abc/def/0", "123456789abcdef/123456789abcdef/0");
        }
    }

    @Test
    void skips_lines_that_are_not_a_stores_and_goes_on() throws Exception {
        Path file = dir.resolve("dedupe-ids-1.txt");
        Files.writeString(file, "not hex at all, not even close to the length of a line\n"
                + "x".repeat(200_000) + "\n" // longer than the read buffer
                + "zz" + line(1, 2, 3).substring(2)
                + line(4, 5, 6)
                + "0".repeat(40) + "\n");
        try (DedupeFileTail tail = new DedupeFileTail(file)) {
            tail.read(this::collect);
        }
        assertThat(read).containsExactly("4/5/6");
    }

    @Test
    void reads_a_replaced_file_from_its_start_and_says_when_it_is_gone() throws Exception {
        Path file = dir.resolve("dedupe-ids-1.txt");
        Files.writeString(file, line(1, 1, 1) + line(2, 2, 2));
        try (DedupeFileTail tail = new DedupeFileTail(file)) {
            tail.read(this::collect);
            Path rewritten = dir.resolve("dedupe-ids-1.txt.tmp");
            Files.writeString(rewritten, line(2, 2, 2) + line(3, 3, 3));
            Files.move(rewritten, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            tail.read(this::collect);
            assertThat(read).containsExactly("1/1/1", "2/2/2", "2/2/2", "3/3/3");

            Files.delete(file);
            assertThat(tail.read(this::collect)).isFalse();
        }
    }
}
