package io.auditrelay.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.auditrelay.mapper.Json;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/**
 * 4. S3 sink: N Airkit NDJSON rows in the inbox -> the real relay (child JVM, relay.sinks=s3) -> S3Proxy.
 * Objects written, PUTs per 10k events, events/s; the objects are read back and their events counted.
 * Like Airkit's bucket, which gets a new file every five minutes, the input is split into files of at most
 * {@link #ROWS_PER_FILE} rows: one file is one unit of work, so the S3 sink's batches span units. The relay runs
 * with its heap capped at {@link #HEAP_MB} MiB.
 */
final class S3Bench {

    static final int ROWS_PER_FILE = 10_000;
    static final int RECORD_SIZE = 600;
    static final int HEAP_MB = 256;

    private final Path root;
    private final Path dir;
    private final long n;
    private final String endpoint;
    private final String access;
    private final String secret;
    private final Results results;
    private final long timeoutSeconds;

    S3Bench(Path root, Path dir, long n, String endpoint, String access, String secret, Results results, long timeoutSeconds) {
        this.root = root;
        this.dir = dir;
        this.n = n;
        this.endpoint = endpoint;
        this.access = access;
        this.secret = secret;
        this.results = results;
        this.timeoutSeconds = timeoutSeconds;
    }

    boolean run() throws Exception {
        RelayProcess.deleteTree(dir);
        String bucket = "bench-" + Long.toString(System.currentTimeMillis(), 36);
        Path work = dir.resolve("relay");
        Path inbox = work.resolve("inbox");
        Path airkit = inbox.resolve("airkit");
        Files.createDirectories(airkit);
        int files = 0;
        for (long i = 0; i < n; i += ROWS_PER_FILE) {
            Path f = airkit.resolve(String.format("airkit-audit-bench-%05d.ndjson", files++));
            try (BufferedWriter w = Files.newBufferedWriter(f)) {
                for (long j = i; j < Math.min(n, i + ROWS_PER_FILE); j++) {
                    w.write(Data.airkitJson(j, RECORD_SIZE));
                    w.write('\n');
                }
            }
        }
        try (S3Client s3 = client()) {
            s3.createBucket(b -> b.bucket(bucket));
            Map<String, String> props = Map.ofEntries(
                    Map.entry("relay.once", "false"),
                    Map.entry("relay.inbox.enabled", "true"),
                    Map.entry("relay.inbox.dir", inbox.toString()),
                    Map.entry("relay.inbox.poll-interval", "200"),
                    Map.entry("relay.state.dir", work.resolve("state").toString()),
                    Map.entry("relay.dlq.dir", work.resolve("dlq").toString()),
                    Map.entry("relay.sinks", "s3"),
                    Map.entry("relay.sink.s3.bucket", bucket),
                    Map.entry("relay.sink.s3.endpoint", endpoint),
                    Map.entry("relay.sink.s3.access-key", access),
                    Map.entry("relay.sink.s3.secret-key", secret),
                    Map.entry("relay.sink.s3.region", "us-east-1"));
            double start;
            double end = -1;
            double rss;
            // the heap target: every event of the run goes through the S3 sink's batching under a 256 MiB heap cap
            List<String> jvm = new java.util.ArrayList<>(CsvBench.jfrArgs(work));
            jvm.add("-Xmx" + HEAP_MB + "m");
            jvm.add("-XX:+ExitOnOutOfMemoryError");
            try (RelayProcess relay = new RelayProcess(root, work, props, jvm)) {
                int reading = relay.mark(l -> l.contains("Reading airkit file"));
                long deadline = System.nanoTime() + timeoutSeconds * 1_000_000_000L;
                while (System.nanoTime() < deadline && relay.isAlive()) {
                    if (done(airkit, files)) {
                        end = relay.elapsedSeconds();
                        break;
                    }
                    Thread.sleep(100);
                }
                start = relay.markSeconds(reading);
                rss = relay.peakRssMb();
                if (end < 0) {
                    System.err.printf("s3: relay did not finish %d files within %ds; log %s%n", files, timeoutSeconds, relay.log());
                    end = relay.elapsedSeconds();
                }
                relay.stop();
            }
            long[] check = readBack(s3, bucket);
            long objects = check[0];
            long events = check[1];
            long distinct = check[2];
            long dlq = RelayProcess.deadLetters(work.resolve("dlq"));
            double sec = end - Math.max(0, start);
            double rate = events / sec;
            double putsPer10k = events == 0 ? 0 : objects / (events / 10_000.0); // per event actually written
            var node = results.json.putObject("s3");
            node.put("events_in", n);
            node.put("input_files", files);
            node.put("objects", objects);
            node.put("events_read_back", events);
            node.put("distinct_events_read_back", distinct);
            node.put("puts_per_10k_events", putsPer10k);
            node.put("relay_events_per_s", Math.round(rate));
            node.put("relay_peak_rss_mb", Math.round(rss));
            node.put("relay_max_heap_mb", HEAP_MB);
            node.put("relay_dead_letters", dlq);
            results.row("4 s3 sink", "relay (airkit inbox -> s3 sink -> S3Proxy), events/s", Results.num(rate),
                    events + " events read back (" + distinct + " distinct) from " + objects + " objects; " + files
                            + " input files; " + dlq + " dead letters");
            results.row("4 s3 sink", "PUTs per 10k events", String.format("%.2f", putsPer10k), "");
            results.row("4 s3 sink", "relay peak RSS (VmHWM, -Xmx" + HEAP_MB + "m)", Results.num(rss) + " MB",
                    "heap capped at " + HEAP_MB + " MiB for the whole run");
            boolean ok = events == n && distinct == n;
            if (!ok) {
                System.err.printf("s3: COUNT MISMATCH in=%d read back=%d distinct=%d%n", n, events, distinct);
            }
            return ok;
        }
    }

    private static boolean done(Path inbox, int files) throws Exception {
        Path doneDir = inbox.resolve(".done");
        if (!Files.isDirectory(doneDir)) {
            return false;
        }
        try (Stream<Path> s = Files.list(doneDir)) {
            return s.count() >= files;
        }
    }

    private S3Client client() {
        return S3Client.builder().endpointOverride(URI.create(endpoint)).region(Region.US_EAST_1)
                .forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(access, secret))).build();
    }

    /** {objects, events (lines), distinct airkit event indexes}. */
    private long[] readBack(S3Client s3, String bucket) throws Exception {
        long objects = 0;
        long events = 0;
        BitSet seen = new BitSet((int) n);
        for (S3Object o : s3.listObjectsV2Paginator(ListObjectsV2Request.builder().bucket(bucket).build()).contents()) {
            objects++;
            try (ResponseInputStream<GetObjectResponse> in = s3.getObject(b -> b.bucket(bucket).key(o.key()));
                 BufferedReader r = new BufferedReader(new InputStreamReader(
                         o.key().endsWith(".gz") ? new GZIPInputStream(in) : in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    if (line.isBlank()) {
                        continue;
                    }
                    events++;
                    JsonNode e = Json.MAPPER.readTree(line);
                    String id = e.path("id").asText();
                    int idx = Integer.parseInt(id.substring(id.lastIndexOf('-') + 1));
                    seen.set(idx);
                }
            }
        }
        return new long[] {objects, events, seen.cardinality()};
    }
}
