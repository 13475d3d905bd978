package io.auditrelay.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.auditrelay.mapper.Json;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.BufferedReader;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * 6. Small-file backlogs: N one-record Airkit NDJSON files waiting in the inbox when the relay starts, and N one-record
 * objects waiting in an S3 (S3Proxy) bucket for the Airkit source; relay.sinks=ndjson. Files (objects) per second from
 * the first "Reading" log line until the last one is finished; every file must be read exactly once ("Reading" lines
 * counted) and every event written (distinct ids in the NDJSON output).
 */
final class SmallFilesBench {

    static final int RECORD_SIZE = 600;
    /** Event indexes of this section, apart from the other sections'. */
    static final long OFFSET = 70_000_000L;

    private final Path root;
    private final Path dir;
    private final int n;
    private final String[] s3;
    private final Results results;
    private final long timeoutSeconds;

    SmallFilesBench(Path root, Path dir, int n, String[] s3, Results results, long timeoutSeconds) {
        this.root = root;
        this.dir = dir;
        this.n = n;
        this.s3 = s3;
        this.results = results;
        this.timeoutSeconds = timeoutSeconds;
    }

    boolean run() throws Exception {
        RelayProcess.deleteTree(dir);
        boolean ok = inbox();
        if (s3 != null) {
            ok &= bucket();
        }
        return ok;
    }

    private static String name(int i) {
        return String.format("airkit-audit-%06d.ndjson", i);
    }

    private static String record(int i) {
        return Data.airkitJson(OFFSET + i, RECORD_SIZE) + "\n";
    }

    private boolean inbox() throws Exception {
        Path work = dir.resolve("inbox-relay");
        Path airkit = work.resolve("inbox/airkit");
        Files.createDirectories(airkit);
        for (int i = 0; i < n; i++) {
            Files.writeString(airkit.resolve(name(i)), record(i));
        }
        Map<String, String> props = common(work);
        props.put("relay.inbox.enabled", "true");
        props.put("relay.inbox.dir", work.resolve("inbox").toString());
        double[] m = measure(work, props, "Reading airkit file", "Finished airkit file");
        return report("inbox", "inbox (one-record airkit files -> ndjson sink)", work, m);
    }

    private boolean bucket() throws Exception {
        String bucket = "small-" + Long.toString(System.currentTimeMillis(), 36);
        try (S3Client client = client()) {
            client.createBucket(b -> b.bucket(bucket));
            long t0 = System.nanoTime();
            ExecutorService pool = Executors.newFixedThreadPool(32);
            try {
                List<Future<?>> puts = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    final int idx = i;
                    puts.add(pool.submit(() -> client.putObject(b -> b.bucket(bucket).key("audit/" + name(idx)),
                            RequestBody.fromString(record(idx)))));
                }
                for (Future<?> f : puts) {
                    f.get();
                }
            } finally {
                pool.shutdownNow();
            }
            System.out.printf("small files: %,d objects put into s3://%s in %.1fs%n", n, bucket, (System.nanoTime() - t0) / 1e9);
        }
        Path work = dir.resolve("s3-relay");
        Map<String, String> props = common(work);
        props.put("relay.inbox.enabled", "false");
        props.put("relay.inbox.dir", work.resolve("inbox").toString());
        props.put("relay.source.airkit.enabled", "true");
        props.put("relay.source.airkit.bucket", bucket);
        props.put("relay.source.airkit.endpoint", s3[0]);
        props.put("relay.source.airkit.access-key", s3[1]);
        props.put("relay.source.airkit.secret-key", s3[2]);
        props.put("relay.source.airkit.region", "us-east-1");
        double[] m = measure(work, props, "Reading Airkit object", "Finished Airkit object");
        return report("s3", "S3 bucket (one-record objects, Airkit source -> ndjson sink)", work, m);
    }

    private Map<String, String> common(Path work) {
        Map<String, String> props = new HashMap<>();
        props.put("relay.once", "false");
        props.put("relay.state.dir", work.resolve("state").toString());
        props.put("relay.dlq.dir", work.resolve("dlq").toString());
        props.put("relay.sinks", "ndjson");
        props.put("relay.sink.ndjson.dir", work.resolve("out/ndjson").toString());
        props.put("relay.sink.csv.dir", work.resolve("out/csv").toString());
        return props;
    }

    /** {files/s, reads, finished, seconds, rss}. */
    private double[] measure(Path work, Map<String, String> props, String reading, String finished) throws Exception {
        try (RelayProcess relay = new RelayProcess(root, work, props, CsvBench.jfrArgs(work))) {
            int first = relay.mark(l -> l.contains(reading));
            AtomicLong reads = relay.count(l -> l.contains(reading));
            AtomicLong done = relay.count(l -> l.contains(finished));
            long deadline = System.nanoTime() + timeoutSeconds * 1_000_000_000L;
            double end = -1;
            while (System.nanoTime() < deadline && relay.isAlive()) {
                if (done.get() >= n) {
                    end = relay.elapsedSeconds();
                    break;
                }
                Thread.sleep(50);
            }
            double start = relay.markSeconds(first);
            if (end < 0) {
                end = relay.elapsedSeconds();
                System.err.printf("small files: the relay finished %,d of %,d within %ds; log %s%n", done.get(), n,
                        timeoutSeconds, relay.log());
            }
            double rss = relay.peakRssMb();
            relay.stop();
            double sec = end - Math.max(0, start);
            return new double[] {done.get() / sec, reads.get(), done.get(), sec, rss};
        }
    }

    private boolean report(String key, String what, Path work, double[] m) throws IOException {
        long[] out = readBack(work.resolve("out/ndjson"));
        long dlq = RelayProcess.deadLetters(work.resolve("dlq"));
        var node = results.json.putObject("small_files_" + key);
        node.put("files", n);
        node.put("files_per_s", Math.round(m[0]));
        node.put("reads", (long) m[1]);
        node.put("finished", (long) m[2]);
        node.put("seconds", m[3]);
        node.put("events_out", out[0]);
        node.put("distinct_events_out", out[1]);
        node.put("relay_dead_letters", dlq);
        node.put("relay_peak_rss_mb", Math.round(m[4]));
        results.json.put(key + (key.equals("s3") ? "_objects_per_s" : "_files_per_s"), Math.round(m[0]));
        results.row("6 small files", what + ", files/s", Results.num(m[0]),
                String.format("%,d files in %.1f s; %,d reads; %,d events out (%,d distinct); %d dead letters; target >= 200/s",
                        n, m[3], (long) m[1], out[0], out[1], dlq));
        boolean ok = (long) m[1] == n && (long) m[2] == n && out[0] == n && out[1] == n;
        if (!ok) {
            System.err.printf("small files %s: COUNT MISMATCH files=%d reads=%d finished=%d events=%d distinct=%d%n", key, n,
                    (long) m[1], (long) m[2], out[0], out[1]);
        }
        return ok;
    }

    /** {events, distinct indexes} of the NDJSON sink's output files. */
    private long[] readBack(Path out) throws IOException {
        long events = 0;
        BitSet seen = new BitSet(n);
        if (!Files.isDirectory(out)) {
            return new long[] {0, 0};
        }
        List<Path> files;
        try (Stream<Path> s = Files.walk(out)) {
            files = s.filter(Files::isRegularFile).filter(f -> !f.getFileName().toString().startsWith(".")).toList();
        }
        for (Path f : files) {
            try (BufferedReader r = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
                String line;
                while ((line = r.readLine()) != null) {
                    if (line.isBlank()) {
                        continue;
                    }
                    events++;
                    JsonNode e = Json.MAPPER.readTree(line);
                    String id = e.path("id").asText();
                    long idx = Long.parseLong(id.substring(id.lastIndexOf('-') + 1)) - OFFSET;
                    if (idx >= 0 && idx < n) {
                        seen.set((int) idx);
                    }
                }
            }
        }
        return new long[] {events, seen.cardinality()};
    }

    private S3Client client() {
        return S3Client.builder().endpointOverride(URI.create(s3[0])).region(Region.US_EAST_1).forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(s3[1], s3[2]))).build();
    }
}
