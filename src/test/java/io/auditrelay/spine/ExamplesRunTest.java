package io.auditrelay.spine;

import io.auditrelay.testing.RelayRunner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

class ExamplesRunTest {

    @TempDir
    Path dir;

    @Test
    void relay_once_over_the_examples_delivers_every_event_once() throws Exception {
        RelayRunner relay = RelayRunner.inDir(dir);
        copy(Path.of("examples/inbox"), relay.inbox("x").getParent());

        relay.runOnce();

        assertThat(lines(relay.ndjsonDir())).hasSize(24);
    }

    static List<String> lines(Path dir) throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            return files.sorted().flatMap(f -> {
                try {
                    return Files.readAllLines(f).stream();
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            }).toList();
        }
    }

    static void copy(Path from, Path to) throws Exception {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }
}
