package io.auditrelay.ops;

import io.auditrelay.testing.RelayProcess;
import io.auditrelay.testing.RelayRunner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Launched the documented way ({@code -XX:+ExitOnOutOfMemoryError}, as the README, the Dockerfile and the Kubernetes
 * manifests do), a relay whose heap an input exhausts ends its process, so a supervisor restarts it, instead of
 * staying alive and stuck.
 */
class OutOfMemoryExitTest {

    /** The JVM options every launch of the relay uses (README, Dockerfile, deploy/kubernetes). */
    static final String EXIT_ON_OOM = "-XX:+ExitOnOutOfMemoryError";

    @TempDir
    Path dir;

    @Test
    void a_relay_whose_heap_runs_out_ends_its_process() throws Exception {
        // the input limits (relay.input.*) keep a long line out of the heap; raised here so this line is read whole
        RelayRunner layout = RelayRunner.inDir(dir).with("relay.once", "true")
                .with("relay.input.max-record-bytes", "1000000000").with("relay.input.max-field-length", "1000000000");
        Path inbox = layout.inbox("conduktor");
        Files.createDirectories(inbox);
        // one JSON line of 160 MB: more than the 96 MB heap can hold as a string
        try (BufferedWriter out = Files.newBufferedWriter(inbox.resolve("huge.jsonl"), StandardCharsets.UTF_8)) {
            out.write("{\"specversion\":\"1.0\",\"id\":\"x\",\"data\":\"");
            char[] chunk = new char[1 << 20];
            java.util.Arrays.fill(chunk, 'a');
            for (int i = 0; i < 160; i++) {
                out.write(chunk);
            }
            out.write("\"}\n");
        }
        RelayProcess relay = RelayProcess.start(layout.properties(), dir.resolve("relay.log"), List.of("-Xmx96m", EXIT_ON_OOM));
        Integer exit = relay.waitFor(Duration.ofSeconds(120));
        if (exit == null) {
            relay.kill();
        }
        assertThat(exit).as(relay.log()).isNotNull().isNotZero();
        // the heap ran out on the input, not before: the relay had started and was reading the file
        String log = relay.log();
        assertThat(log).contains("Reading conduktor file huge.jsonl").contains("Terminating due to java.lang.OutOfMemoryError");
        assertThat(log.indexOf("Reading conduktor file huge.jsonl")).isLessThan(log.indexOf("Terminating due to"));
    }

    @Test
    void every_documented_launch_exits_on_out_of_memory() throws Exception {
        assertThat(Files.readString(Path.of("Dockerfile"))).contains("\"" + EXIT_ON_OOM + "\"");
        assertThat(Files.readString(Path.of("README.md"))).contains("java " + EXIT_ON_OOM + " -Drelay.once=true -jar target/audit-relay.jar");
        assertThat(Files.readString(Path.of("deploy/kubernetes/base/deployment.yaml"))).contains(EXIT_ON_OOM);
    }
}
