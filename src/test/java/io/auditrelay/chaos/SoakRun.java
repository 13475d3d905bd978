package io.auditrelay.chaos;

import io.auditrelay.testing.Output;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The soak run of {@code bench/soak.sh} (not a test): the crash suite's world ({@link ChaosWorld}: every source fed at
 * a steady rate, every sink) for {@code -Dsoak.minutes} (30) with the relay under {@code -Xmx256m} killed with
 * SIGKILL every {@code -Dsoak.kill-minutes} (5) and started again; every {@code -Dsoak.sample-seconds} (5) the
 * relay's heap (jstat) and resident set (/proc) are written to {@code samples.csv} in the output folder (argument),
 * the kills to {@code kills.csv}. At the end the feeds stop and the exactly-once check of the crash suite runs; the
 * result goes to {@code result.txt}, and the exit code is 0 only when it passed.
 */
public final class SoakRun {

    private SoakRun() {
    }

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args[0]).toAbsolutePath();
        Duration length = Duration.ofMinutes(Long.getLong("soak.minutes", 30));
        Duration killEvery = Duration.ofMinutes(Long.getLong("soak.kill-minutes", 5));
        long sampleMillis = TimeUnit.SECONDS.toMillis(Long.getLong("soak.sample-seconds", 5));
        Files.createDirectories(out);
        Path samples = out.resolve("samples.csv");
        Path kills = out.resolve("kills.csv");
        Files.writeString(samples, "seconds,heap_used_mb,heap_committed_mb,rss_mb,events_fed\n");
        Files.writeString(kills, "seconds\n");
        boolean passed = false;
        String result;
        try (ChaosWorld world = new ChaosWorld(out.resolve("run"),
                List.of("-Xmx256m", "-XX:+ExitOnOutOfMemoryError"))) {
            world.start();
            world.startRelay();
            long t0 = System.nanoTime();
            long lastKill = t0;
            while (System.nanoTime() - t0 < length.toNanos()) {
                long now = System.nanoTime();
                if (now - lastKill >= killEvery.toNanos()) {
                    world.relay.kill();
                    append(kills, (now - t0) / 1_000_000_000L + "\n");
                    world.startRelay();
                    lastKill = System.nanoTime();
                }
                sample(world, samples, (System.nanoTime() - t0) / 1_000_000_000L);
                Thread.sleep(sampleMillis);
            }
            world.feeds.stop();
            Set<String> expected = world.inputs.expected();
            world.awaitEverywhere(expected, Duration.ofMinutes(5));
            Map<String, List<String>> sinks = world.sinks();
            StringBuilder problems = new StringBuilder();
            for (String exact : List.of("csv", "ndjson")) {
                if (sinks.get(exact).size() != expected.size()) {
                    problems.append(exact).append(" holds ").append(sinks.get(exact).size()).append(" events; ");
                }
            }
            sinks.forEach((name, ids) -> {
                if (!new HashSet<>(ids).equals(expected)) {
                    problems.append(name).append(" holds other ids than were fed; ");
                }
            });
            int dead = Output.jsonFile(world.deadLetters()).size();
            if (dead > 0) {
                problems.append(dead).append(" dead letters; ");
            }
            passed = problems.length() == 0;
            result = (passed ? "PASSED" : "FAILED: " + problems) + "\n" + world.report(expected) + "\nrelay starts: "
                    + world.starts + "\n";
        } catch (Throwable e) {
            result = "FAILED: " + e + "\n";
        }
        Files.writeString(out.resolve("result.txt"), result);
        System.out.print(result);
        System.exit(passed ? 0 : 1);
    }

    /** One sample: the relay's heap from jstat (KB columns of -gc) and its resident set from /proc. */
    private static void sample(ChaosWorld world, Path samples, long seconds) throws IOException, InterruptedException {
        long pid = world.relay.pid();
        double used = -1;
        double committed = -1;
        Process jstat = new ProcessBuilder("jstat", "-gc", Long.toString(pid)).redirectErrorStream(true).start();
        List<String> lines = new String(jstat.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        jstat.waitFor(10, TimeUnit.SECONDS);
        if (lines.size() >= 2 && lines.get(0).trim().startsWith("S0C")) {
            List<String> names = List.of(lines.get(0).trim().split("\\s+"));
            String[] values = lines.get(1).trim().split("\\s+");
            used = (kb(names, values, "S0U") + kb(names, values, "S1U") + kb(names, values, "EU") + kb(names, values, "OU")) / 1024;
            committed = (kb(names, values, "S0C") + kb(names, values, "S1C") + kb(names, values, "EC") + kb(names, values, "OC")) / 1024;
        }
        double rss = -1;
        Path status = Path.of("/proc", Long.toString(pid), "status");
        if (Files.exists(status)) {
            for (String line : Files.readAllLines(status)) {
                if (line.startsWith("VmRSS:")) {
                    rss = Double.parseDouble(line.replaceAll("[^0-9]", "")) / 1024;
                }
            }
        }
        append(samples, String.format("%d,%.1f,%.1f,%.1f,%d%n", seconds, used, committed, rss, world.inputs.expected().size()));
    }

    private static double kb(List<String> names, String[] values, String column) {
        int i = names.indexOf(column);
        return i < 0 || i >= values.length ? 0 : Double.parseDouble(values[i]);
    }

    private static void append(Path file, String text) throws IOException {
        Files.writeString(file, text, StandardOpenOption.APPEND);
    }
}
