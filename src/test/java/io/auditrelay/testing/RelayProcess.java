package io.auditrelay.testing;

import io.auditrelay.AuditRelay;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The relay as a separate JVM (main class {@link AuditRelay}, the test class path), for what needs a
 * real process: {@code kill -9}, two replicas competing for leadership.
 */
public final class RelayProcess {

    private final Process process;
    private final Path log;

    private RelayProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /** Starts a relay with {@code -Dkey=value} for every property; its output goes to {@code log}. */
    public static RelayProcess start(Map<String, String> properties, Path log) {
        return start(properties, log, List.of());
    }

    /** The same, with JVM options (e.g. a heap cap) before the class path. */
    public static RelayProcess start(Map<String, String> properties, Path log, List<String> jvmOptions) {
        return start(properties, log, jvmOptions, List.of());
    }

    /** The same, with program arguments after the main class (a command such as {@code backfill ...}). */
    public static RelayProcess start(Map<String, String> properties, Path log, List<String> jvmOptions, List<String> args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-XX:TieredStopAtLevel=1");
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        properties.forEach((k, v) -> command.add("-D" + k + "=" + v));
        command.add(AuditRelay.class.getName());
        command.addAll(args);
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            return new RelayProcess(process, log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** SIGKILL: no shutdown hook, no flush, no lock release by the JVM itself. */
    public void kill() {
        try {
            process.destroyForcibly().waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Waits for the process to end; its exit code, or null if it still runs after {@code timeout}. */
    public Integer waitFor(java.time.Duration timeout) {
        try {
            return process.waitFor(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS) ? process.exitValue() : null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** The process id (for jstat, /proc). */
    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }
}
