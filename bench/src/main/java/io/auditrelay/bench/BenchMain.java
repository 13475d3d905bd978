package io.auditrelay.bench;

import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Runs the measurements in order (mappers, CSV file export, Kafka end to end, S3 sink), prints a markdown
 * table and writes results.json. Exits non-zero when any output count differs from the input count.
 *
 * <pre>java -cp ... io.auditrelay.bench.BenchMain --events N --root PROJECT_DIR [--only mappers,csv,kafka,s3,latency,smallfiles]
 * [--kafka BOOTSTRAP] [--s3 ENDPOINT,ACCESS,SECRET]</pre>
 */
public final class BenchMain {

    public static void main(String[] args) throws Exception {
        long events = 100_000;
        Path root = Path.of(".").toAbsolutePath().normalize();
        Set<String> only = new LinkedHashSet<>(List.of("mappers", "csv", "kafka", "s3", "latency", "smallfiles"));
        String kafka = null;
        String s3 = null;
        boolean quick = false;
        long kafkaTimeout = 300;
        long relayTimeout = 300;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--events" -> events = Long.parseLong(args[++i]);
                case "--root" -> root = Path.of(args[++i]).toAbsolutePath().normalize();
                case "--only" -> only = new LinkedHashSet<>(List.of(args[++i].split(",")));
                case "--kafka" -> kafka = args[++i];
                case "--s3" -> s3 = args[++i];
                case "--quick" -> quick = true;
                case "--kafka-timeout" -> kafkaTimeout = Long.parseLong(args[++i]);
                case "--relay-timeout" -> relayTimeout = Long.parseLong(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        Path out = root.resolve("target/bench");
        Results results = new Results(out.resolve("results.json"));
        results.json.put("events", events);
        boolean ok = true;
        long mark = System.nanoTime();
        try {
            if (only.contains("mappers")) {
                mappers(results, quick);
                results.save();
                mark = took("mappers", mark);
            }
            if (only.contains("csv")) {
                ok &= new CsvBench(root, out.resolve("csv"), events, results, relayTimeout).run();
                results.save();
                mark = took("csv", mark);
            }
            if (only.contains("kafka") && kafka != null) {
                ok &= new KafkaBench(root, out.resolve("kafka"), events, kafka, results, kafkaTimeout, !quick).run();
                results.save();
                mark = took("kafka", mark);
            }
            if (only.contains("s3") && s3 != null) {
                String[] s = s3.split(",");
                ok &= new S3Bench(root, out.resolve("s3"), events, s[0], s[1], s[2], results, relayTimeout).run();
                results.save();
                mark = took("s3", mark);
            }
            if (only.contains("latency") && kafka != null) {
                // quick: 10 s, full: 60 s at 5,000 events/s, produced in real time, after 3 s (full: 10 s) of warm-up
                ok &= new LatencyBench(root, out.resolve("latency"), kafka, results, 5000, quick ? 10 : 60, quick ? 3 : 10).run();
                results.save();
                mark = took("latency", mark);
            }
            if (only.contains("smallfiles")) {
                String[] s = s3 == null ? null : s3.split(",");
                int files = quick ? 500 : 20_000;
                ok &= new SmallFilesBench(root, out.resolve("smallfiles"), files, s, results, quick ? 60 : relayTimeout).run();
                results.save();
                mark = took("smallfiles", mark);
            }
        } finally {
            results.json.put("counts_ok", ok);
            results.save();
            System.out.println();
            System.out.println(results.markdown());
            System.out.println("results: " + out.resolve("results.json"));
        }
        if (!ok) {
            System.err.println("BENCH FAILED: an output count differs from the input count (see above)");
            System.exit(1);
        }
    }

    /** Prints how long a section took (so the quick run's three minutes can be accounted for); the time now. */
    private static long took(String section, long since) {
        long now = System.nanoTime();
        System.err.printf("== section %s took %.0f s%n", section, (now - since) / 1e9);
        return now;
    }

    static void mappers(Results results, boolean quick) throws Exception {
        Options opt = new OptionsBuilder()
                .include(MapperBench.class.getName() + (quick ? "\\.map$" : "\\.(map|parseAndMap)$"))
                // full mode: longer, so that one iteration disturbed by the (shared, 2-core) machine weighs less;
                // the quick run (a smoke run, no target judged on it) measures two iterations to keep within 3 minutes
                .warmupIterations(quick ? 2 : 3).warmupTime(TimeValue.seconds(1))
                .measurementIterations(quick ? 2 : 5).measurementTime(TimeValue.seconds(1))
                .forks(1).threads(1)
                .jvmArgsAppend("-Xmx512m")
                .build();
        Collection<RunResult> runs = new Runner(opt).run();
        var node = results.json.putObject("mappers");
        for (RunResult r : runs) {
            String method = r.getParams().getBenchmark().replaceAll(".*\\.", "");
            String vendor = r.getParams().getParam("vendor");
            double score = r.getPrimaryResult().getScore();
            double error = r.getPrimaryResult().getScoreError();
            node.put(vendor + "_" + method + "_events_per_s", Math.round(score));
            double median = r.getPrimaryResult().getStatistics().getPercentile(50);
            node.put(vendor + "_" + method + "_median_events_per_s", Math.round(median));
            results.row("1 mappers", vendor + " " + method + " (events/s, 1 thread, ~1 KB)", Results.num(score),
                    "± " + Results.num(error) + ", median " + Results.num(median)
                            + (score >= 100_000 ? " — meets 100k/s" : " — BELOW 100k/s target"));
        }
    }
}
