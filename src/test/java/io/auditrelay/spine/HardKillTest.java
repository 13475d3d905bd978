package io.auditrelay.spine;

import io.auditrelay.testing.Output;
import io.auditrelay.testing.RelayProcess;
import io.auditrelay.testing.RelayRunner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** A relay killed with SIGKILL in the middle of an inbox loses nothing and writes nothing twice after the restart. */
class HardKillTest {

    private static final int FILES = 3;
    private static final int PER_FILE = 4000;

    @TempDir
    Path dir;

    @Test
    void kill_9_mid_run_then_restart_delivers_every_event_exactly_once_to_every_sink() throws Exception {
        RelayRunner relay = RelayRunner.inDir(dir);
        Path inbox = relay.inbox("airkit");
        Files.createDirectories(inbox);
        for (int f = 0; f < FILES; f++) {
            List<String> lines = new ArrayList<>();
            for (int i = 0; i < PER_FILE; i++) {
                lines.add(String.format("{\"ORGANIZATION_ID\":\"org-1\",\"EVENT_ID\":\"evt-%d-%05d\",\"EVENT_TIME\":"
                        + "\"2024-06-01 10:%02d:%02d.%03d\",\"USER_ID\":\"u-1\",\"EVENT_TYPE\":\"user_login\"}", f, i,
                        f * 10 + i / 600, (i / 10) % 60, i % 1000));
            }
            Files.write(inbox.resolve("airkit-audit-" + f + ".ndjson"), lines);
        }

        RelayProcess child = RelayProcess.start(relay.properties(), relay.dir().resolve("child.log"));
        try {
            RelayRunner.await(Duration.ofSeconds(60), () -> Output.lines(relay.ndjsonDir()).size() > PER_FILE / 2);
        } catch (AssertionError e) {
            throw new AssertionError("the child relay delivered too little; its log:\n" + child.log(), e);
        } finally {
            child.kill();
        }
        int beforeRestart = Output.lines(relay.ndjsonDir()).size();
        assertThat(beforeRestart).as("killed before the end").isLessThan(FILES * PER_FILE);

        relay.runOnce(Duration.ofSeconds(120));

        List<String> ndjsonIds = Output.ids(relay.ndjsonDir());
        assertThat(ndjsonIds).hasSize(FILES * PER_FILE).doesNotHaveDuplicates();
        List<String> csvIds = Output.lines(relay.csvDir()).stream().filter(l -> !l.startsWith("id,"))
                .map(l -> l.substring(0, l.indexOf(','))).toList();
        assertThat(csvIds).hasSize(FILES * PER_FILE).doesNotHaveDuplicates();
        Set<String> expected = new HashSet<>();
        for (int f = 0; f < FILES; f++) {
            for (int i = 0; i < PER_FILE; i++) {
                expected.add(String.format("airkit:evt-%d-%05d", f, i));
            }
        }
        assertThat(new HashSet<>(csvIds)).isEqualTo(expected);
    }
}
