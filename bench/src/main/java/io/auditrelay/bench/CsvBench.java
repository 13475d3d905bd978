package io.auditrelay.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.auditrelay.event.AuditEvent;
import io.auditrelay.mapper.Json;
import io.auditrelay.mapper.MappingContext;
import io.auditrelay.mapper.Mappers;
import io.auditrelay.mapper.VendorMapper;
import io.auditrelay.sink.CsvFileSink;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * 2. File export ingest: an Astra portal CSV export of N rows through the real relay (child JVM, relay.once,
 * relay.sinks=csv) vs a plain Java loop (Commons CSV parse -> AstraMapper -> the same CSV line -> BufferedWriter).
 */
final class CsvBench {

    private final Path root;
    private final Path dir;
    private final long n;
    private final Results results;

    private final long timeoutSeconds;

    CsvBench(Path root, Path dir, long n, Results results, long timeoutSeconds) {
        this.timeoutSeconds = timeoutSeconds;
        this.root = root;
        this.dir = dir;
        this.n = n;
        this.results = results;
    }

    /** Exposes the relay's own CSV line format, so the baseline writes exactly the relay's rows. */
    static final class Lines extends CsvFileSink {
        Lines() {
            super(Path.of("unused"));
        }

        String row(AuditEvent e) throws IOException {
            return line(e);
        }
    }

    boolean run() throws Exception {
        RelayProcess.deleteTree(dir);
        Path export = dir.resolve("astra-audit-log-bench.csv");
        Files.createDirectories(dir);
        long bytes = generate(export);
        System.out.printf("csv: generated %,d rows (%,d bytes, %.0f B/row) in %s%n", n, bytes, (double) bytes / n, export);

        // baseline: plain Java
        Path baseOut = dir.resolve("baseline.csv");
        long t0 = System.nanoTime();
        long baseRows = baseline(export, baseOut);
        double baseSec = (System.nanoTime() - t0) / 1e9;
        double baseRate = baseRows / baseSec;
        System.out.printf("csv: baseline %,d rows in %.2fs = %,.0f events/s%n", baseRows, baseSec, baseRate);

        // the relay
        Path work = dir.resolve("relay");
        Path inbox = work.resolve("inbox");
        Files.createDirectories(inbox.resolve("astra"));
        Files.move(export, inbox.resolve("astra").resolve(export.getFileName()));
        Map<String, String> props = Map.of(
                // not relay.once: it stops the relay in the middle of a file that takes longer than the poll interval
                // (see bench/README.md); the bench waits for "Finished astra file" and stops the relay itself
                "relay.once", "false",
                "relay.inbox.enabled", "true",
                "relay.inbox.dir", inbox.toString(),
                "relay.inbox.poll-interval", "200",
                "relay.state.dir", work.resolve("state").toString(),
                "relay.dlq.dir", work.resolve("dlq").toString(),
                "relay.sink.csv.dir", work.resolve("out/csv").toString(),
                "relay.sink.ndjson.dir", work.resolve("out/ndjson").toString(),
                "relay.sinks", "csv");
        List<String> jfr = jfrArgs(work);
        double wall;
        double start;
        double end;
        double rss;
        int exit;
        try (RelayProcess relay = new RelayProcess(root, work, props, jfr)) {
            int reading = relay.mark(l -> l.contains("Reading astra file"));
            int finished = relay.mark(l -> l.contains("Finished astra file"));
            boolean done = relay.awaitMark(finished, timeoutSeconds);
            wall = relay.elapsedSeconds();
            if (!done) {
                System.err.printf("csv: the relay did not finish the file within %ds (--relay-timeout); stopped it; log %s%n",
                        timeoutSeconds, relay.log());
            }
            relay.stop();
            exit = done ? 0 : 1;
            start = relay.markSeconds(reading);
            end = relay.markSeconds(finished);
            rss = relay.peakRssMb();
            System.out.printf("csv: relay finished=%d (0 = yes), wall %.2fs, file read from %.2fs to %.2fs, peak RSS %.0f MB, log %s%n",
                    exit, wall, start, end, rss, relay.log());
        }
        long relayRows = countRows(work.resolve("out/csv"));
        long dlq = RelayProcess.deadLetters(work.resolve("dlq"));
        double procSec = start > 0 ? (end > 0 ? end : wall) - start : wall;
        double relayRate = relayRows / procSec;
        double relayWallRate = relayRows / wall;
        double ratio = relayRate / baseRate;

        var node = results.json.putObject("csv");
        node.put("rows_in", n);
        node.put("bytes_in", bytes);
        node.put("baseline_rows_out", baseRows);
        node.put("baseline_events_per_s", Math.round(baseRate));
        node.put("relay_rows_out", relayRows);
        node.put("relay_dead_letters", dlq);
        node.put("relay_events_per_s", Math.round(relayRate));
        node.put("relay_events_per_s_wall_incl_startup", Math.round(relayWallRate));
        node.put("relay_processing_s", procSec);
        node.put("relay_wall_s", wall);
        node.put("relay_peak_rss_mb", Math.round(rss));
        node.put("relay_finished_file", exit == 0);
        results.json.put("csv_ratio", round3(ratio));
        results.row("2 csv export", "baseline (Commons CSV + AstraMapper + BufferedWriter), events/s", Results.num(baseRate),
                baseRows + " rows");
        results.row("2 csv export", "relay (inbox -> csv sink), events/s", Results.num(relayRate),
                relayRows + " rows" + (exit == 0 ? "" : " (NOT FINISHED within " + timeoutSeconds + " s)") + ", " + dlq + " dead letters; wall incl. JVM/Camel startup " + Results.num(relayWallRate) + "/s");
        results.row("2 csv export", "csv_ratio (relay / baseline)", String.format("%.3f", ratio), "");
        results.row("2 csv export", "relay peak RSS (VmHWM, -Xmx1g)", Results.num(rss) + " MB", "");
        boolean ok = baseRows == n && relayRows == n && exit == 0;
        if (!ok) {
            System.err.printf("csv: COUNT MISMATCH in=%d baseline=%d relay=%d (dead letters %d, exit %d)%n", n, baseRows,
                    relayRows, dlq, exit);
        }
        return ok;
    }

    static double round3(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    /** BENCH_JFR=1: record a flight recording of the relay into its work dir. */
    static List<String> jfrArgs(Path work) {
        if (System.getenv("BENCH_JFR") == null) {
            return List.of();
        }
        return List.of("-XX:StartFlightRecording=filename=" + work.resolve("relay.jfr") + ",settings=profile");
    }

    private long generate(Path file) throws IOException {
        try (Writer w = new BufferedWriter(Files.newBufferedWriter(file, StandardCharsets.UTF_8), 1 << 16)) {
            w.write(Data.ASTRA_HEADER);
            w.write("\r\n");
            for (long i = 0; i < n; i++) {
                w.write(Data.astraCsvRow(i, 150));
                w.write("\r\n");
            }
        }
        return Files.size(file);
    }

    static long baseline(Path in, Path out) throws IOException {
        VendorMapper mapper = Mappers.forVendor("astra");
        Lines lines = new Lines();
        long rows = 0;
        CSVFormat format = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).build();
        try (Reader r = Files.newBufferedReader(in, StandardCharsets.UTF_8);
             CSVParser parser = format.parse(r);
             BufferedWriter w = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
            List<String> header = parser.getHeaderNames();
            w.write(CsvFileSink.HEADER);
            w.write("\r\n");
            for (CSVRecord rec : parser) {
                ObjectNode row = Json.MAPPER.createObjectNode();
                for (int i = 0; i < header.size(); i++) {
                    row.put(header.get(i), rec.get(i));
                }
                AuditEvent e = mapper.map(row, new MappingContext(Instant.now(), null));
                w.write(lines.row(e));
                w.write("\r\n");
                rows++;
            }
        }
        // count what was written, as for the relay
        return countRows(out.getParent(), out.getFileName().toString()) == rows ? rows : -1;
    }

    static long countRows(Path dir) throws IOException {
        return countRows(dir, null);
    }

    /** Data rows (CSV records minus the header) of every .csv in dir (or only the named one). */
    static long countRows(Path dir, String only) throws IOException {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        long total = 0;
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".csv"))
                    .filter(p -> only == null || p.getFileName().toString().equals(only)).toList()) {
                try (Reader r = Files.newBufferedReader(f, StandardCharsets.UTF_8);
                     CSVParser parser = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).build().parse(r)) {
                    for (CSVRecord ignored : parser) {
                        total++;
                    }
                }
            }
        }
        return total;
    }
}
