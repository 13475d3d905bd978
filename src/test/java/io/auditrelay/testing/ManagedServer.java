package io.auditrelay.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Common plumbing for the real servers started on loopback as separate processes:
 * project layout, jar fetching, free ports, process launch with a log file, readiness polling and stop.
 *
 * <p>The server jars live in {@code target/servers/<name>/lib} (fetched by {@code scripts/fetch-servers.sh}
 * from the POMs in {@code scripts/servers/<name>/}); they are never on the test classpath.
 */
public abstract class ManagedServer implements AutoCloseable {

    /** Loopback address every server binds to. */
    public static final String HOST = "127.0.0.1";

    private final String name;
    protected Path workDir;
    protected Path logFile;
    protected Process process;
    private Thread shutdownHook;

    protected ManagedServer(String name) {
        this.name = name;
    }

    public String name() {
        return name;
    }

    /** Starts the server and blocks until it is ready; throws with the log tail if it is not. */
    public final synchronized void start() {
        if (isRunning()) {
            return;
        }
        Path lib = ensureLib(name);
        workDir = projectDir().resolve("target/servers-run/" + name + "-" + ProcessHandle.current().pid()
                + "-" + System.nanoTime() % 100000);
        deleteRecursively(workDir);
        try {
            Files.createDirectories(workDir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        logFile = workDir.resolve(name + ".log");
        long t0 = System.nanoTime();
        try {
            doStart(lib);
        } catch (RuntimeException | Error e) {
            stop();
            throw e;
        }
        startupMillis = (System.nanoTime() - t0) / 1_000_000;
        System.out.printf("[%s] ready in %d ms (log: %s)%n", name, startupMillis, logFile);
    }

    private long startupMillis;

    /** Wall-clock time the last {@link #start()} took until the server was ready. */
    public long startupMillis() {
        return startupMillis;
    }

    protected abstract void doStart(Path lib);

    /** Stops the server process (SIGTERM, then SIGKILL after a grace period). Idempotent. */
    public final synchronized void stop() {
        Process p = process;
        process = null;
        if (p != null) {
            destroy(p, Duration.ofSeconds(15));
            if (workDir != null) {
                deleteRecursively(workDir.resolve("data")); // keep config and log for post-mortems
            }
        }
        if (shutdownHook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException ignored) {
                // JVM already shutting down
            }
            shutdownHook = null;
        }
    }

    /**
     * Stops the server's process as an outage would (SIGTERM, then SIGKILL after a grace period) and keeps its work
     * dir, data and ports, so {@link #resume()} starts it again where its clients expect it.
     */
    public final synchronized void pause() {
        Process p = process;
        process = null;
        if (p != null) {
            destroy(p, Duration.ofSeconds(15));
        }
    }

    /** Starts a {@link #pause() paused} server again, with the same work dir, data and ports; blocks until it is ready. */
    public final synchronized void resume() {
        if (isRunning()) {
            return;
        }
        if (workDir == null) {
            throw new IllegalStateException(name + " was never started");
        }
        doResume(ensureLib(name));
    }

    /** Launches the process again on the configuration, data and ports of the last {@link #doStart}. */
    protected void doResume(Path lib) {
        throw new UnsupportedOperationException(name + " cannot be resumed");
    }

    @Override
    public void close() {
        stop();
    }

    public boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** Directory holding this run's configuration, data and log. */
    public Path workDir() {
        return workDir;
    }

    public Path logFile() {
        return logFile;
    }

    /** Registers a JVM shutdown hook that stops this server (used by the shared singletons). */
    protected void stopAtJvmExit() {
        if (shutdownHook == null) {
            shutdownHook = new Thread(() -> {
                Process p = process;
                if (p != null) {
                    destroy(p, Duration.ofSeconds(10));
                    deleteRecursively(workDir.resolve("data"));
                }
            }, name + "-shutdown");
            Runtime.getRuntime().addShutdownHook(shutdownHook);
        }
    }

    // ------------------------------------------------------------------ process helpers

    /** Launches {@code java <args>} with {@code lib/*} as classpath, output appended to the log file. */
    protected Process launchJava(Path lib, List<String> jvmArgs, List<String> mainAndArgs) {
        List<String> cmd = new ArrayList<>();
        cmd.add(javaExecutable());
        cmd.addAll(jvmArgs);
        if (lib != null) {
            cmd.add("-cp");
            cmd.add(lib.toAbsolutePath() + "/*");
        }
        cmd.addAll(mainAndArgs);
        return launch(cmd);
    }

    protected Process launch(List<String> cmd) {
        try {
            Files.writeString(logFile, "$ " + String.join(" ", cmd) + System.lineSeparator(),
                    StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.APPEND);
            ProcessBuilder pb = new ProcessBuilder(cmd)
                    .directory(workDir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.PIPE);
            return pb.start();
        } catch (IOException e) {
            throw new IllegalStateException(name + ": cannot launch " + cmd.get(0) + ": " + e.getMessage(), e);
        }
    }

    /** Runs a short-lived helper process to completion (e.g. a storage formatter). */
    protected void runToCompletion(Path lib, List<String> jvmArgs, List<String> mainAndArgs, Duration timeout) {
        Process p = launchJava(lib, jvmArgs, mainAndArgs);
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                destroy(p, Duration.ofSeconds(2));
                throw failure("helper " + mainAndArgs.get(0) + " did not finish within " + timeout);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            destroy(p, Duration.ofSeconds(2));
            throw failure("interrupted while running " + mainAndArgs.get(0));
        }
        if (p.exitValue() != 0) {
            throw failure("helper " + mainAndArgs.get(0) + " exited with " + p.exitValue());
        }
    }

    /** A readiness probe: returns true once ready, may throw (treated as not ready yet). */
    @FunctionalInterface
    protected interface Probe {
        boolean ready() throws Exception;
    }

    /** Polls {@code probe} until it returns true; fails fast if the process exits, with the log tail. */
    protected void awaitReady(Duration timeout, String what, Probe probe) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            if (process == null || !process.isAlive()) {
                throw failure("process exited" + (process != null ? " with code " + process.exitValue() : "")
                        + " before " + what);
            }
            try {
                if (probe.ready()) {
                    return;
                }
            } catch (Exception e) {
                last = e;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw failure("interrupted while waiting for " + what);
            }
        }
        throw failure("not ready within " + timeout.toSeconds() + " s (" + what + ")"
                + (last != null ? "; last probe error: " + last : ""));
    }

    /** An exception whose message contains the last lines of the server log. */
    protected IllegalStateException failure(String message) {
        return new IllegalStateException(name + ": " + message + System.lineSeparator()
                + "---- last lines of " + logFile + " ----" + System.lineSeparator() + logTail(40));
    }

    public String logTail(int lines) {
        if (logFile == null || !Files.exists(logFile)) {
            return "(no log)";
        }
        try {
            List<String> all = Files.readAllLines(logFile, StandardCharsets.UTF_8);
            return String.join(System.lineSeparator(), all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(cannot read log: " + e + ")";
        }
    }

    static void destroy(Process p, Duration grace) {
        List<ProcessHandle> children = p.descendants().toList();
        p.destroy();
        try {
            if (!p.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        children.forEach(ProcessHandle::destroyForcibly);
    }

    // ------------------------------------------------------------------ environment

    protected static String javaExecutable() {
        return Paths.get(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** A port that was free on loopback a moment ago. */
    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    protected static boolean portOpen(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(HOST, port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * The project's top-level directory: system property {@code auditrelay.basedir}, else the first
     * directory upwards from the working directory that contains {@code scripts/fetch-servers.sh}.
     */
    public static Path projectDir() {
        String prop = System.getProperty("auditrelay.basedir");
        if (prop != null && !prop.isBlank()) {
            return Paths.get(prop).toAbsolutePath();
        }
        for (Path d = Paths.get("").toAbsolutePath(); d != null; d = d.getParent()) {
            if (Files.isRegularFile(d.resolve("scripts/fetch-servers.sh"))) {
                return d;
            }
        }
        throw new IllegalStateException("cannot locate the project directory (no scripts/fetch-servers.sh above "
                + Paths.get("").toAbsolutePath() + "); set -Dauditrelay.basedir=...");
    }

    /**
     * Returns {@code target/servers/<name>/lib}, running {@code scripts/fetch-servers.sh <name>} first if it is
     * not populated yet (set {@code -Dauditrelay.servers.autofetch=false} to fail instead).
     */
    static synchronized Path ensureLib(String name) {
        Path root = projectDir();
        Path lib = root.resolve("target/servers/" + name + "/lib");
        if (Files.isRegularFile(lib.resolve(".complete"))) {
            return lib;
        }
        String hint = "server jars for " + name + " missing in " + lib + ": run `bash scripts/fetch-servers.sh`";
        if (!Boolean.parseBoolean(System.getProperty("auditrelay.servers.autofetch", "true"))) {
            throw new IllegalStateException(hint);
        }
        try {
            Files.createDirectories(root.resolve("target/servers"));
            Path log = root.resolve("target/servers/fetch-" + name + ".log");
            Process p = new ProcessBuilder("bash", root.resolve("scripts/fetch-servers.sh").toString(), name)
                    .directory(root.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            if (!p.waitFor(15, TimeUnit.MINUTES) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IllegalStateException(hint + " (automatic fetch failed, see " + log + ")");
            }
        } catch (IOException e) {
            throw new IllegalStateException(hint + " (" + e.getMessage() + ")", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(hint, e);
        }
        if (!Files.isRegularFile(lib.resolve(".complete"))) {
            throw new IllegalStateException(hint);
        }
        return lib;
    }

    static void deleteRecursively(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    protected static void write(Path file, String content) {
        try {
            Files.writeString(file, content, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
