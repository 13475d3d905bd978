package io.auditrelay.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.auditrelay.event.AuditEvent;
import io.auditrelay.mapper.Json;
import io.auditrelay.mapper.MappingContext;
import io.auditrelay.mapper.Mappers;
import io.auditrelay.mapper.VendorMapper;
import io.auditrelay.sink.kafka.KafkaSink;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * 3. Kafka -> relay -> Kafka: N Conduktor CloudEvents preloaded into a topic; the real relay (child JVM,
 * Conduktor Kafka source, kafka sink) vs a plain client loop (KafkaConsumer -> Jackson -> ConduktorMapper ->
 * Jackson -> KafkaProducer) over the same input, in two forms: flush + commitSync after every poll, and the
 * pipelined at-least-once loop (polls while sends are in flight, commitAsync of each batch once it was acked).
 */
final class KafkaBench {

    static final int RECORD_SIZE = 1024;

    private final Path root;
    private final Path dir;
    private final long n;
    private final String brokers;
    private final Results results;
    private final long timeoutSeconds;
    /** Whether the pipelined loop also runs in a fresh JVM (full mode; the quick run keeps within its 3 minutes). */
    private final boolean freshJvmLoop;

    KafkaBench(Path root, Path dir, long n, String brokers, Results results, long timeoutSeconds, boolean freshJvmLoop) {
        this.root = root;
        this.dir = dir;
        this.n = n;
        this.brokers = brokers;
        this.results = results;
        this.timeoutSeconds = timeoutSeconds;
        this.freshJvmLoop = freshJvmLoop;
    }

    boolean run() throws Exception {
        RelayProcess.deleteTree(dir);
        String run = Long.toString(System.currentTimeMillis(), 36);
        String in = "bench-in-" + run;
        String out = "bench-out-" + run;
        String base = "bench-base-" + run;
        String piped = "bench-piped-" + run;
        String pipedCe = "bench-piped-ce-" + run;
        String fresh = "bench-fresh-" + run;
        List<NewTopic> topics = new ArrayList<>(List.of(new NewTopic(in, 1, (short) 1),
                new NewTopic(out, 1, (short) 1), new NewTopic(base, 1, (short) 1), new NewTopic(piped, 1, (short) 1)));
        if (freshJvmLoop) {
            topics.add(new NewTopic(fresh, 1, (short) 1));
            topics.add(new NewTopic(pipedCe, 1, (short) 1));
        }
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, brokers))) {
            admin.createTopics(topics).all().get();
        }
        long[] inTs = new long[(int) n];
        long t0 = System.nanoTime();
        preload(in, inTs);
        double preloadSec = (System.nanoTime() - t0) / 1e9;
        System.out.printf("kafka: preloaded %,d CloudEvents (~%d B) into %s in %.2fs (%,.0f/s)%n", n, RECORD_SIZE, in,
                preloadSec, n / preloadSec);

        // baseline: plain clients
        double[] b = baseline(in, base);
        double baseSteady = b[0];
        double baseWall = b[1];
        System.out.printf("kafka: flush-per-poll baseline %,.0f events/s (from first output), %,.0f/s incl. group join%n", baseSteady, baseWall);
        long[] baseCheck = verify(base, inTs);
        double cpu0 = RelayProcess.ownCpuSeconds();
        double broker0 = brokerCpuSeconds();
        double[] pp = pipelined(in, piped);
        double pipeCpu = RelayProcess.ownCpuSeconds() - cpu0;
        double brokerPipe = cpuSpent(broker0, brokerCpuSeconds());
        double pipeSteady = pp[0];
        System.out.printf("kafka: pipelined baseline %,.0f events/s (first poll to last ack), %,.0f/s incl. group join%n", pipeSteady, pp[1]);
        long[] pipeCheck = verify(piped, inTs);
        double[] ce = null;
        long[] ceCheck = null;
        double[] fp = null;
        long[] freshCheck = null;
        if (freshJvmLoop) {
            ce = pipelined(in, pipedCe, true);
            System.out.printf("kafka: pipelined baseline writing the relay's CloudEvents headers %,.0f events/s%n", ce[0]);
            ceCheck = verify(pipedCe, inTs);
            fp = pipelinedInFreshJvm(in, fresh);
            System.out.printf("kafka: pipelined baseline in a fresh JVM %,.0f events/s (first poll to last ack), CPU %.1f s%n",
                    fp[0], fp[2]);
            freshCheck = verify(fresh, inTs);
        }

        // the relay
        Path work = dir.resolve("relay");
        Map<String, String> props = Map.ofEntries(
                Map.entry("relay.once", "false"),
                Map.entry("relay.inbox.enabled", "false"),
                Map.entry("relay.inbox.dir", work.resolve("inbox").toString()),
                Map.entry("relay.state.dir", work.resolve("state").toString()),
                Map.entry("relay.dlq.dir", work.resolve("dlq").toString()),
                Map.entry("relay.source.conduktor.enabled", "true"),
                Map.entry("relay.source.conduktor.brokers", brokers),
                Map.entry("relay.source.conduktor.topic", in),
                Map.entry("relay.source.conduktor.group-id", "bench-relay-" + run),
                Map.entry("relay.sinks", "kafka"),
                Map.entry("relay.sink.kafka.brokers", brokers),
                Map.entry("relay.sink.kafka.topic", out));
        double firstOut = -1;
        double done = -1;
        long reached;
        double rss;
        double relayCpu = -1;
        double relayCpuBefore = -1;
        double relayCpuSinceStart = -1;
        double half = -1;
        double halfCpu = -1;
        double brokerBefore = -1;
        double brokerRelay = -1;
        double jitBefore = -1;
        double relayJit = -1;
        try (RelayProcess relay = new RelayProcess(root, work, props, CsvBench.jfrArgs(work));
             KafkaConsumer<String, String> probe = consumer("bench-probe-" + run)) {
            TopicPartition tp = new TopicPartition(out, 0);
            long deadline = System.nanoTime() + timeoutSeconds * 1_000_000_000L;
            reached = 0;
            while (System.nanoTime() < deadline && relay.isAlive()) {
                reached = probe.endOffsets(List.of(tp)).get(tp);
                if (reached > 0 && firstOut < 0) {
                    firstOut = relay.elapsedSeconds();
                    relayCpuBefore = relay.cpuSeconds();
                    brokerBefore = brokerCpuSeconds();
                    jitBefore = RelayProcess.compilerCpuSeconds(relay.cpuByThread());
                }
                if (reached >= n / 2 && half < 0) {
                    half = relay.elapsedSeconds();
                    halfCpu = relay.cpuSeconds();
                }
                if (reached >= n) {
                    done = relay.elapsedSeconds();
                    double cpuNow = relay.cpuSeconds();
                    relayCpu = cpuNow - relayCpuBefore;
                    relayCpuSinceStart = cpuNow;
                    brokerRelay = cpuSpent(brokerBefore, brokerCpuSeconds());
                    Map<String, Double> byThread = relay.cpuByThread();
                    relayJit = cpuSpent(jitBefore, RelayProcess.compilerCpuSeconds(byThread));
                    halfCpu = cpuNow - halfCpu;
                    System.out.println("kafka: relay CPU seconds by thread since its start " + byThread);
                    break;
                }
                Thread.sleep(100);
            }
            if (done < 0) {
                System.err.printf("kafka: relay reached %,d of %,d output records in %ds (timeout or exit); log %s%n", reached,
                        n, timeoutSeconds, relay.log());
            }
            double wall = done > 0 ? done : relay.elapsedSeconds();
            rss = relay.peakRssMb();
            relay.stop();
            System.out.printf("kafka: relay first output at %.2fs, %,d records at %.2fs, peak RSS %.0f MB%n", firstOut, reached,
                    wall, rss);
            done = wall;
        }
        long[] relayCheck = verify(out, inTs);
        double relaySteady = firstOut >= 0 && done > firstOut ? relayCheck[0] / (done - firstOut) : 0;
        double relayWall = relayCheck[0] / done;
        double ratio = relaySteady / baseSteady;
        double pipeRatio = relaySteady / pipeSteady;
        // the second half of the relay's output: its JIT has compiled the path by then, as the baselines' JVM had
        // (they run after each other in the bench's JVM); the probe samples every 100 ms, so this is approximate
        double relayWarm = half > 0 && done > half ? (n - n / 2) / (done - half) : 0;
        double warmRatio = relayWarm / pipeSteady;
        long dlq = RelayProcess.deadLetters(work.resolve("dlq"));

        var node = results.json.putObject("kafka");
        node.put("events_in", n);
        node.put("record_bytes", RECORD_SIZE);
        node.put("preload_events_per_s", Math.round(n / preloadSec));
        node.put("baseline_events_per_s", Math.round(baseSteady));
        node.put("baseline_events_per_s_incl_join", Math.round(baseWall));
        node.put("baseline_out", baseCheck[0]);
        node.put("baseline_distinct_out", baseCheck[1]);
        node.put("baseline_latency_p50_ms", baseCheck[2]);
        node.put("baseline_latency_p99_ms", baseCheck[3]);
        node.put("pipelined_events_per_s", Math.round(pipeSteady));
        node.put("pipelined_events_per_s_incl_join", Math.round(pp[1]));
        node.put("pipelined_out", pipeCheck[0]);
        node.put("pipelined_distinct_out", pipeCheck[1]);
        node.put("pipelined_cpu_s", Math.round(pipeCpu * 10) / 10.0);
        node.put("relay_cpu_s", Math.round(relayCpu * 10) / 10.0);
        node.put("relay_cpu_s_since_start", Math.round(relayCpuSinceStart * 10) / 10.0);
        node.put("relay_jit_cpu_s", Math.round(relayJit * 10) / 10.0);
        node.put("broker_cpu_s_pipelined", Math.round(brokerPipe * 10) / 10.0);
        node.put("broker_cpu_s_relay", Math.round(brokerRelay * 10) / 10.0);
        node.put("relay_events_per_s_second_half", Math.round(relayWarm));
        node.put("relay_cpu_s_second_half", Math.round(halfCpu * 10) / 10.0);
        node.put("relay_events_per_s", Math.round(relaySteady));
        node.put("relay_events_per_s_wall_incl_startup", Math.round(relayWall));
        node.put("relay_out", relayCheck[0]);
        node.put("relay_distinct_out", relayCheck[1]);
        node.put("relay_latency_p50_ms", relayCheck[2]);
        node.put("relay_latency_p99_ms", relayCheck[3]);
        node.put("relay_peak_rss_mb", Math.round(rss));
        node.put("relay_dead_letters", dlq);
        results.json.put("kafka_ratio", CsvBench.round3(ratio));
        results.json.put("kafka_pipelined_ratio", CsvBench.round3(pipeRatio));
        results.json.put("kafka_pipelined_ratio_second_half", CsvBench.round3(warmRatio));
        results.row("3 kafka e2e", "flush-per-poll baseline (consumer -> ConduktorMapper -> producer, flush + commitSync per poll), events/s",
                Results.num(baseSteady), baseCheck[0] + " out; p50/p99 " + baseCheck[2] + "/" + baseCheck[3] + " ms");
        results.row("3 kafka e2e", "pipelined baseline (polls while sends are in flight, commitAsync per acked batch), events/s",
                Results.num(pipeSteady), pipeCheck[0] + " out (" + pipeCheck[1] + " distinct)");
        results.row("3 kafka e2e", "relay (conduktor source -> kafka sink), events/s", Results.num(relaySteady),
                relayCheck[0] + " out, " + dlq + " dead letters; p50/p99 " + relayCheck[2] + "/" + relayCheck[3]
                        + " ms; wall incl. startup " + Results.num(relayWall) + "/s");
        results.row("3 kafka e2e", "kafka_ratio (relay / flush-per-poll baseline)", String.format("%.3f", ratio), "");
        results.row("3 kafka e2e", "kafka_pipelined_ratio (relay / pipelined baseline)", String.format("%.3f", pipeRatio),
                "target >= 0.9");
        results.row("3 kafka e2e", "relay, second half of its output (warm JIT) events/s / ratio to pipelined",
                Results.num(relayWarm) + " / " + String.format("%.3f", warmRatio),
                String.format("CPU %.1f s for the second half", halfCpu));
        if (ce != null) {
            // the same records as the relay's: the headers cost the producer and the broker
            double ceRatio = relaySteady / ce[0];
            node.put("pipelined_ce_headers_events_per_s", Math.round(ce[0]));
            node.put("pipelined_ce_headers_distinct_out", ceCheck[1]);
            results.json.put("kafka_pipelined_ratio_ce_headers", CsvBench.round3(ceRatio));
            results.row("3 kafka e2e", "pipelined baseline writing the relay's six CloudEvents headers (the same records as the relay's), events/s / relay ratio to it",
                    Results.num(ce[0]) + " / " + String.format("%.3f", ceRatio), ceCheck[0] + " out (" + ceCheck[1] + " distinct)");
        }
        if (fp != null) {
            // both JVMs fresh: each compiles its path while it runs
            double freshRatio = relaySteady / fp[0];
            node.put("pipelined_fresh_jvm_events_per_s", Math.round(fp[0]));
            node.put("pipelined_fresh_jvm_out", freshCheck[0]);
            node.put("pipelined_fresh_jvm_distinct_out", freshCheck[1]);
            node.put("pipelined_fresh_jvm_cpu_s", Math.round(fp[2] * 10) / 10.0);
            results.json.put("kafka_pipelined_ratio_fresh_jvm", CsvBench.round3(freshRatio));
            results.row("3 kafka e2e", "pipelined baseline in a fresh JVM (the relay's JVM options; its JIT runs while it does), events/s / relay ratio to it",
                    Results.num(fp[0]) + " / " + String.format("%.3f", freshRatio), freshCheck[0] + " out (" + freshCheck[1]
                            + " distinct); CPU since its start " + String.format("%.1f s", fp[2]));
        }
        results.row("3 kafka e2e", "relay peak RSS (VmHWM, -Xmx1g)", Results.num(rss) + " MB", "");
        cpuBudget(node, n, pp[1], pipeCpu, brokerPipe, done - firstOut, relayCpu, brokerRelay, pipeSteady);
        results.row("3 kafka e2e", "CPU seconds: pipelined loop (the bench JVM while it ran) / relay (first output to last)",
                String.format("%.1f / %.1f", pipeCpu, relayCpu), String.format("relay since its start %.1f s;"
                        + " of its %.1f s, %.1f s on its JIT compiler threads; the broker's (not included) %.1f s during"
                        + " the loop, %.1f s during the relay (-1: unknown)", relayCpuSinceStart, relayCpu, relayJit,
                        brokerPipe, brokerRelay));
        boolean ok = baseCheck[0] == n && baseCheck[1] == n && relayCheck[0] == n && relayCheck[1] == n
                && pipeCheck[1] == n && (freshCheck == null || freshCheck[1] == n) && (ceCheck == null || ceCheck[1] == n);
        if (!ok) {
            System.err.printf("kafka: COUNT MISMATCH in=%d baseline out=%d (distinct %d) pipelined distinct %d%s relay out=%d"
                    + " (distinct %d)%n", n, baseCheck[0], baseCheck[1], pipeCheck[1],
                    freshCheck == null ? "" : " (own JVM " + freshCheck[1] + ")", relayCheck[0], relayCheck[1]);
        }
        return ok;
    }

    /**
     * CPU seconds the Kafka broker used so far, when {@code scripts/servers.sh} started it (its pid file under
     * target/servers-run); -1 for a broker of another kind (--kafka pointing elsewhere).
     */
    private double brokerCpuSeconds() {
        if (root == null) {
            return -1;
        }
        try {
            Path pidFile = root.resolve("target/servers-run/kafka-cli/pid");
            return RelayProcess.cpuSecondsOf(Long.parseLong(Files.readString(pidFile).trim()));
        } catch (Exception e) {
            return -1;
        }
    }

    /**
     * How much of the machine each side used in its window (its own CPU and the broker's over the cores times the
     * window), and the relay's rate if its CPU per event and the broker's had every core to themselves: what the
     * relay's CPU per event allows on this machine at best, as a ratio to the pipelined loop.
     */
    private void cpuBudget(ObjectNode node, long n, double pipeRateInclJoin, double pipeCpu, double brokerPipe,
                           double relayWindow, double relayCpu, double brokerRelay, double pipeRate) {
        if (brokerPipe < 0 || brokerRelay < 0 || relayCpu < 0 || relayWindow <= 0 || pipeRateInclJoin <= 0) {
            return;
        }
        int cores = Runtime.getRuntime().availableProcessors();
        double pipeBusy = (pipeCpu + brokerPipe) / (cores * (n / pipeRateInclJoin));
        double relayBusy = (relayCpu + brokerRelay) / (cores * relayWindow);
        double ceiling = cores / ((relayCpu + brokerRelay) / n);
        node.put("cores_busy_pipelined", CsvBench.round3(pipeBusy));
        node.put("cores_busy_relay", CsvBench.round3(relayBusy));
        node.put("relay_cpu_us_per_event", Math.round(relayCpu / n * 1e7) / 10.0);
        results.json.put("kafka_pipelined_ratio_cpu_ceiling", CsvBench.round3(ceiling / pipeRate));
        results.row("3 kafka e2e", "share of the " + cores + " cores used (the process + the broker) in the window: pipelined loop / relay",
                String.format("%.0f %% / %.0f %%", 100 * pipeBusy, 100 * relayBusy),
                String.format("relay %.1f + broker %.1f CPU us per event: at 100 %% of the cores %s events/s, %.3f of the"
                                + " pipelined loop (kafka_pipelined_ratio_cpu_ceiling)", relayCpu / n * 1e6,
                        brokerRelay / n * 1e6, Results.num(ceiling), ceiling / pipeRate));
    }

    /** CPU seconds between two readings, -1 when either is unknown. */
    private static double cpuSpent(double before, double after) {
        return before < 0 || after < 0 ? -1 : after - before;
    }

    private void preload(String topic, long[] inTs) throws Exception {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, brokers);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, 20);
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        AtomicReference<Exception> failure = new AtomicReference<>();
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
            for (int i = 0; i < n; i++) {
                final int idx = i;
                producer.send(new ProducerRecord<>(topic, Data.conduktorId(i), Data.conduktorJson(i, RECORD_SIZE)),
                        (md, e) -> {
                            if (e != null) {
                                failure.set(e);
                            } else {
                                inTs[idx] = md.timestamp();
                            }
                        });
            }
            producer.flush();
        }
        if (failure.get() != null) {
            throw failure.get();
        }
    }

    /**
     * {@link #pipelined} run by {@link PipelinedLoopMain} in a child JVM with the relay's JVM options:
     * {events/s first poll to last ack, events/s incl. group join, CPU seconds of the child}.
     */
    private double[] pipelinedInFreshJvm(String in, String outTopic) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(RelayProcess.JVM);
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), PipelinedLoopMain.class.getName(), brokers, in,
                outTopic, Long.toString(n), Long.toString(timeoutSeconds)));
        Files.createDirectories(dir);
        Path log = dir.resolve("pipelined-fresh-jvm.log");
        Process child = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!child.waitFor(timeoutSeconds + 60, TimeUnit.SECONDS)) {
            child.destroyForcibly();
            throw new IllegalStateException("the pipelined loop in a fresh JVM did not finish; log " + log);
        }
        String line = Files.readAllLines(log).stream().filter(l -> l.startsWith("pipelined "))
                .reduce((a, b) -> b)
                .orElseThrow(() -> new IllegalStateException("the pipelined loop in a fresh JVM failed; log " + log));
        String[] parts = line.split(" ");
        return new double[] {Double.parseDouble(parts[1]), Double.parseDouble(parts[2]), Double.parseDouble(parts[3])};
    }

    /** The producer of both baselines: acks=all, idempotent, linger 5 ms, 64 KiB batches. */
    private Properties producerProps() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, brokers);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, 64 * 1024);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return p;
    }

    /** One poll batch of the pipelined loop: its offsets, committed once every send of it (and before it) was acked. */
    private static final class PolledBatch {
        final Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        final AtomicInteger pending;

        PolledBatch(int size) {
            pending = new AtomicInteger(size);
        }
    }

    /**
     * The at-least-once loop a careful engineer writes with the plain clients: it keeps polling while sends are in
     * flight (no flush), and commits each poll batch's offsets with commitAsync once all its sends were acknowledged,
     * in poll order; the same parse -> map -> serialize and producer settings as the flush-per-poll loop.
     * {events/s from the first polled record to the last ack, events/s including consumer start and group join}.
     */
    double[] pipelined(String in, String outTopic) throws Exception {
        return pipelined(in, outTopic, false);
    }

    /**
     * {@link #pipelined(String, String)}, the records written with the relay's Kafka sink's CloudEvents binary-mode
     * headers when {@code ceHeaders} ({@link KafkaSink#cloudEventsHeaders}): the same records as the relay's.
     */
    double[] pipelined(String in, String outTopic, boolean ceHeaders) throws Exception {
        VendorMapper mapper = Mappers.forVendor("conduktor");
        long start = System.nanoTime();
        long first = -1;
        long count = 0;
        AtomicReference<Exception> failure = new AtomicReference<>();
        AtomicLong acked = new AtomicLong();
        AtomicLong lastAck = new AtomicLong();
        ArrayDeque<PolledBatch> inFlight = new ArrayDeque<>();
        try (KafkaConsumer<String, String> consumer = consumer("bench-pipelined-" + outTopic);
             KafkaProducer<String, byte[]> producer = new KafkaProducer<>(producerProps())) {
            consumer.subscribe(List.of(in));
            long deadline = System.nanoTime() + timeoutSeconds * 1_000_000_000L;
            while ((count < n || acked.get() < n || !inFlight.isEmpty()) && System.nanoTime() < deadline) {
                ConsumerRecords<String, String> records = consumer.poll(Duration.ofMillis(count < n ? 100 : 5));
                if (!records.isEmpty()) {
                    if (first < 0) {
                        first = System.nanoTime();
                    }
                    Instant received = Instant.now();
                    PolledBatch batch = new PolledBatch(records.count());
                    for (ConsumerRecord<String, String> r : records) {
                        JsonNode record = Json.MAPPER.readTree(r.value());
                        AuditEvent e = mapper.map(record, new MappingContext(received, null));
                        producer.send(new ProducerRecord<>(outTopic, null, e.id(), Json.MAPPER.writeValueAsBytes(e),
                                ceHeaders ? KafkaSink.cloudEventsHeaders(e) : null), (md, ex) -> {
                            if (ex != null) {
                                failure.set(ex);
                            } else {
                                acked.incrementAndGet();
                                lastAck.set(System.nanoTime());
                                batch.pending.decrementAndGet();
                            }
                        });
                        batch.offsets.put(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1));
                        count++;
                    }
                    inFlight.add(batch);
                }
                if (failure.get() != null) {
                    throw failure.get();
                }
                // commit the batches whose sends all came back, in poll order
                Map<TopicPartition, OffsetAndMetadata> commit = null;
                while (!inFlight.isEmpty() && inFlight.peek().pending.get() == 0) {
                    if (commit == null) {
                        commit = new HashMap<>();
                    }
                    commit.putAll(inFlight.poll().offsets);
                }
                if (commit != null) {
                    consumer.commitAsync(commit, (o, ex) -> {
                        if (ex != null) {
                            failure.set(ex);
                        }
                    });
                }
            }
            consumer.commitSync();
        }
        long end = lastAck.get();
        return new double[] {acked.get() / ((end - first) / 1e9), acked.get() / ((end - start) / 1e9)};
    }

    /** {events/s from the first output, events/s including consumer start and group join}. */
    private double[] baseline(String in, String outTopic) throws Exception {
        VendorMapper mapper = Mappers.forVendor("conduktor");
        Properties p = producerProps();
        long start = System.nanoTime();
        long first = -1;
        long count = 0;
        AtomicReference<Exception> failure = new AtomicReference<>();
        try (KafkaConsumer<String, String> consumer = consumer("bench-baseline-" + outTopic);
             KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p)) {
            consumer.subscribe(List.of(in));
            long deadline = System.nanoTime() + timeoutSeconds * 1_000_000_000L;
            while (count < n && System.nanoTime() < deadline) {
                ConsumerRecords<String, String> records = consumer.poll(Duration.ofMillis(500));
                if (records.isEmpty()) {
                    continue;
                }
                if (first < 0) {
                    first = System.nanoTime();
                }
                Instant received = Instant.now();
                for (ConsumerRecord<String, String> r : records) {
                    JsonNode record = Json.MAPPER.readTree(r.value());
                    AuditEvent e = mapper.map(record, new MappingContext(received, null));
                    producer.send(new ProducerRecord<>(outTopic, e.id(), Json.MAPPER.writeValueAsBytes(e)), (md, ex) -> {
                        if (ex != null) {
                            failure.set(ex);
                        }
                    });
                    count++;
                }
                producer.flush();
                if (failure.get() != null) {
                    throw failure.get();
                }
                consumer.commitSync();
            }
        }
        long end = System.nanoTime();
        return new double[] {count / ((end - first) / 1e9), count / ((end - start) / 1e9)};
    }

    private KafkaConsumer<String, String> consumer(String group) {
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, brokers);
        c.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 500);
        c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        return new KafkaConsumer<>(c);
    }

    /**
     * Reads a whole output topic: {records, distinct input indexes seen, p50 ms, p99 ms} where latency = output
     * record timestamp - input record timestamp (for a preloaded backlog this is mostly time spent queued).
     */
    private long[] verify(String topic, long[] inTs) {
        BitSet seen = new BitSet((int) n);
        long total = 0;
        long[] lat = new long[(int) n];
        int latCount = 0;
        TopicPartition tp = new TopicPartition(topic, 0);
        try (KafkaConsumer<String, String> c = consumer("bench-verify-" + topic)) {
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            long end = c.endOffsets(List.of(tp)).get(tp);
            while (c.position(tp) < end) {
                for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(500))) {
                    total++;
                    String key = r.key();
                    int idx = key == null ? -1 : Integer.parseInt(key.substring(key.lastIndexOf('-') + 1));
                    if (idx >= 0 && idx < n) {
                        if (!seen.get(idx) && latCount < lat.length) {
                            lat[latCount++] = r.timestamp() - inTs[idx];
                        }
                        seen.set(idx);
                    }
                }
            }
        }
        Arrays.sort(lat, 0, latCount);
        long p50 = latCount == 0 ? -1 : lat[(int) (latCount * 0.50)];
        long p99 = latCount == 0 ? -1 : lat[Math.min(latCount - 1, (int) (latCount * 0.99))];
        return new long[] {total, seen.cardinality(), p50, p99};
    }
}
