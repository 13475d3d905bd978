package io.auditrelay.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * The real relay as a child JVM ({@code java -jar target/audit-relay.jar}) with -D overrides, its working
 * directory a temp folder. Samples VmHWM (peak RSS) from /proc, keeps its log, and notes when log lines appear.
 */
final class RelayProcess implements AutoCloseable {

    static final List<String> JVM = List.of("-Xms256m", "-Xmx1g", "-XX:+ExitOnOutOfMemoryError");

    private final Process process;
    private final Path log;
    private final long startNanos = System.nanoTime();
    private final AtomicLong peakRssKb = new AtomicLong();
    private final List<Marker> markers = new ArrayList<>();
    private final List<Counter> counters = new ArrayList<>();
    private final Thread pump;
    private final Thread sampler;

    private static final class Marker {
        final Predicate<String> match;
        volatile long nanos = -1;

        Marker(Predicate<String> match) {
            this.match = match;
        }
    }

    private record Counter(Predicate<String> match, AtomicLong count) {
    }

    RelayProcess(Path root, Path workDir, Map<String, String> props, List<String> extraJvm) throws IOException {
        Files.createDirectories(workDir);
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(JVM);
        cmd.addAll(extraJvm);
        // BENCH_RELAY_JVM="-XX:... -XX:...": other JVM options for every relay of the run, to compare JVM settings
        String jvm = System.getenv("BENCH_RELAY_JVM");
        if (jvm != null && !jvm.isBlank()) {
            cmd.addAll(List.of(jvm.trim().split("\\s+")));
        }
        cmd.add("-Drelay.management.port=" + freePort());
        cmd.add("-Drelay.progress-interval=1000000");
        props.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
        // BENCH_RELAY_PROPS="k=v,k=v": other settings for every relay of the run (later -D wins), to compare settings
        String extra = System.getenv("BENCH_RELAY_PROPS");
        if (extra != null && !extra.isBlank()) {
            for (String kv : extra.split(",")) {
                cmd.add("-D" + kv.trim());
            }
        }
        cmd.add("-jar");
        cmd.add(root.resolve("target/audit-relay.jar").toString());
        log = workDir.resolve("relay.log");
        process = new ProcessBuilder(cmd).directory(workDir.toFile()).redirectErrorStream(true).start();
        pump = new Thread(this::pump, "relay-log");
        pump.setDaemon(true);
        sampler = new Thread(this::sample, "relay-rss");
        sampler.setDaemon(true);
        pump.start();
        sampler.start();
    }

    /** Registers a log line to time; call before the line can appear (right after construction). */
    synchronized int mark(Predicate<String> line) {
        markers.add(new Marker(line));
        return markers.size() - 1;
    }

    /** Counts the log lines that match from now on (register right after construction). */
    synchronized AtomicLong count(Predicate<String> line) {
        AtomicLong count = new AtomicLong();
        counters.add(new Counter(line, count));
        return count;
    }

    /** Seconds since launch at which the marked line appeared, or -1. */
    synchronized double markSeconds(int marker) {
        long n = markers.get(marker).nanos;
        return n < 0 ? -1 : (n - startNanos) / 1e9;
    }

    private void pump() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
             PrintWriter out = new PrintWriter(Files.newBufferedWriter(log))) {
            String line;
            while ((line = in.readLine()) != null) {
                long now = System.nanoTime();
                synchronized (this) {
                    for (Marker m : markers) {
                        if (m.nanos < 0 && m.match.test(line)) {
                            m.nanos = now;
                        }
                    }
                    for (Counter c : counters) {
                        if (c.match().test(line)) {
                            c.count().incrementAndGet();
                        }
                    }
                }
                out.println(line);
            }
        } catch (IOException ignored) {
            // process ended
        }
    }

    private void sample() {
        Path status = Path.of("/proc", String.valueOf(process.pid()), "status");
        while (process.isAlive()) {
            try {
                for (String l : Files.readAllLines(status)) {
                    if (l.startsWith("VmHWM:")) {
                        peakRssKb.accumulateAndGet(Long.parseLong(l.replaceAll("\\D", "")), Math::max);
                    }
                }
                Thread.sleep(100);
            } catch (Exception e) {
                return;
            }
        }
    }

    /** Waits for the relay to exit by itself (relay.once=true); false on timeout (then it is killed). */
    boolean awaitExit(long seconds) throws InterruptedException {
        boolean exited = process.waitFor(seconds, TimeUnit.SECONDS);
        if (!exited) {
            close();
        }
        pump.join(5000);
        return exited;
    }

    /** Waits until the marked line appeared; false on timeout or when the relay exited first. */
    boolean awaitMark(int marker, long seconds) throws InterruptedException {
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        while (System.nanoTime() < end) {
            if (markSeconds(marker) >= 0) {
                return true;
            }
            if (!process.isAlive()) {
                pump.join(5000);
                return markSeconds(marker) >= 0;
            }
            Thread.sleep(50);
        }
        return false;
    }

    /** Stops the relay (SIGTERM: camel-main shuts down gracefully) and waits for it. */
    void stop() throws InterruptedException {
        close();
        pump.join(5000);
    }

    int exitCode() {
        return process.exitValue();
    }

    double elapsedSeconds() {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    /** CPU seconds (user + system) the relay's process used so far, from /proc/PID/stat; -1 when unknown. */
    double cpuSeconds() {
        return cpuSecondsOf(process.pid());
    }

    /** CPU seconds (user + system) process {@code pid} used so far, from /proc/PID/stat; -1 when unknown. */
    static double cpuSecondsOf(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // fields 14 and 15 of stat (utime, stime) are 11 and 12 after the command name, in clock ticks (100/s)
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0;
        } catch (Exception e) {
            return -1;
        }
    }

    /**
     * CPU seconds per kind of thread of the relay so far (from /proc/PID/task/*: thread names with their numbers
     * removed, e.g. "C2 CompilerThre", "GC Thread", "Camel (camel-1) thread"), largest first.
     */
    java.util.Map<String, Double> cpuByThread() {
        java.util.Map<String, Double> out = new java.util.HashMap<>();
        try (var tasks = Files.list(Path.of("/proc", String.valueOf(process.pid()), "task"))) {
            for (Path task : tasks.toList()) {
                try {
                    String stat = Files.readString(task.resolve("stat"));
                    String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')')).replaceAll("[#\\d]+", "#");
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    out.merge(name, (Long.parseLong(f[11]) + Long.parseLong(f[12])) / 100.0, Double::sum);
                } catch (Exception e) {
                    // the thread ended
                }
            }
        } catch (Exception e) {
            return out;
        }
        java.util.Map<String, Double> sorted = new java.util.LinkedHashMap<>();
        out.entrySet().stream().sorted(java.util.Map.Entry.<String, Double>comparingByValue().reversed())
                .forEach(e -> sorted.put(e.getKey(), Math.round(e.getValue() * 10) / 10.0));
        return sorted;
    }

    /** The CPU seconds of the JIT compiler threads (C1 and C2) in a {@link #cpuByThread} reading; -1 when it is empty. */
    static double compilerCpuSeconds(java.util.Map<String, Double> byThread) {
        return byThread.isEmpty() ? -1 : byThread.entrySet().stream().filter(e -> e.getKey().contains("CompilerThre"))
                .mapToDouble(java.util.Map.Entry::getValue).sum();
    }

    /** CPU seconds the bench's own JVM used so far (its baselines run in it). */
    static double ownCpuSeconds() {
        var os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
            return sun.getProcessCpuTime() / 1e9;
        }
        return -1;
    }

    double peakRssMb() {
        return peakRssKb.get() / 1024.0;
    }

    long pid() {
        return process.pid();
    }

    Path log() {
        return log;
    }

    boolean isAlive() {
        return process.isAlive();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** Lines of the dead-letter store (0 when none). */
    static long deadLetters(Path dlqDir) throws IOException {
        Path f = dlqDir.resolve("dead-letters.jsonl");
        if (!Files.exists(f)) {
            return 0;
        }
        try (var lines = Files.lines(f)) {
            return lines.filter(l -> !l.isBlank()).count();
        }
    }
}
