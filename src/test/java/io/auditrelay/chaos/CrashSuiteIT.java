package io.auditrelay.chaos;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.auditrelay.source.InboxSeeder;
import io.auditrelay.testing.ManagedServer;
import io.auditrelay.testing.Output;
import io.auditrelay.testing.RelayRunner;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The relay as a child process with every source (file inbox, CockroachDB API stand-in, Conduktor on Kafka, Astra on
 * Pulsar, the Airkit bucket on S3Proxy) and every sink (CSV, NDJSON, S3, Kafka, a webhook receiver), all on real
 * loopback servers ({@link ChaosWorld}), fed at a steady rate, killed with SIGKILL at six chosen moments (seen in its
 * output, not guessed by time: mid-file, mid-page, mid-poll-batch, mid-object, mid-upload of an S3 batch, mid-POST)
 * and started again each time; then the Kafka broker, Pulsar, S3Proxy and the webhook receiver are each stopped and
 * started again after 30 s ({@code -Dchaos.outage-seconds}).
 *
 * <p>At the end every event fed is in every sink: exactly once in the CSV and NDJSON files (the README's promise),
 * at least once in S3, Kafka and the webhook, whose consumers key on the canonical id (docs/s3-sink.md,
 * docs/kafka-sink.md, docs/webhook-sink.md); the CSV files read cleanly with a strict CSV reader; nothing was
 * dead-lettered. The sinks' retry budgets are set to outlast an outage, as a user expecting outages would.
 */
@Timeout(600)
class CrashSuiteIT {

    private static final int OUTAGE_SECONDS = Integer.getInteger("chaos.outage-seconds", 30);

    @TempDir
    Path dir;

    private ChaosWorld world;
    private final List<String> kills = new ArrayList<>();
    private boolean passed;

    @AfterEach
    void tearDown() throws Exception {
        if (world != null) {
            world.close();
        }
        // the relays' logs, for a look at what each run did; on a failure the whole folder
        Path logs = ManagedServer.projectDir().resolve("target/chaos-logs");
        Files.createDirectories(logs);
        try (Stream<Path> files = Files.list(dir)) {
            for (Path log : files.filter(f -> f.getFileName().toString().endsWith(".log")).toList()) {
                Files.copy(log, logs.resolve(log.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        if (!passed) {
            Path keep = ManagedServer.projectDir().resolve("target/chaos-failed");
            InboxSeeder.copyTree(dir, keep);
            System.out.println("chaos: the failed run's folder was copied to " + keep);
        }
    }

    @Test
    void every_event_reaches_every_sink_once_through_six_kills_and_four_outages() throws Exception {
        long t0 = System.nanoTime();
        world = new ChaosWorld(dir, List.of());
        world.start();
        world.startRelay();
        long ready = System.nanoTime();
        Feeds feeds = world.feeds;
        Inputs inputs = world.inputs;
        Path ndjson = world.ndjson();

        // 1. mid-file: a large inbox file, killed once part of it reached the sinks
        List<ObjectNode> file = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            file.add(inputs.airkit("2024-07-01"));
        }
        feeds.drop("airkit", "airkit-large-1.ndjson", Inputs.jsonLines(file));
        file.forEach(r -> inputs.expect("airkit", r));
        killWhenUnder(ndjson.resolve("audit-2024-07-01.ndjson"), 3000, "mid-file (inbox)");

        // 2. mid-page: a burst of API entries, read in pages of 300
        feeds.cockroachBurst("2024-07-02", 1500, "2024-07-10");
        killWhenUnder(ndjson.resolve("audit-2024-07-02.ndjson"), 1500, "mid-page (CockroachDB API)");

        // 3. mid-poll-batch: a burst on the Conduktor topic, polled 500 at a time
        feeds.kafkaBurst("2024-07-03", 1500);
        killWhenUnder(ndjson.resolve("audit-2024-07-03.ndjson"), 1500, "mid-poll-batch (Conduktor on Kafka)");

        // 4. mid-object: a large object in the Airkit bucket
        feeds.objectBurst("2024-07-04", 3000);
        killWhenUnder(ndjson.resolve("audit-2024-07-04.ndjson"), 3000, "mid-object (Airkit bucket)");

        // 5. mid-upload: the S3 sink's next PUT of a batch is held in flight
        world.s3Front.arm("PUT /" + ChaosWorld.SINK_BUCKET + "/");
        assertThat(world.s3Front.awaitHeld(60)).as("an S3 batch upload started").isTrue();
        kill("mid-upload (S3 sink batch)");
        world.s3Front.release();

        // 6. mid-POST: the webhook receiver holds the next request unanswered
        world.webhook.holdNext();
        assertThat(world.webhook.awaitHeld(60)).as("a webhook POST arrived").isTrue();
        kill("mid-POST (webhook sink)");
        world.webhook.release();
        long killed = System.nanoTime();

        // outages: each server stopped, and started again on its port with its data
        outage("kafka", world.kafka::pause, world.kafka::resume);
        outage("pulsar", world.pulsar::pause, world.pulsar::resume);
        outage("s3", world.s3::pause, world.s3::resume);
        outage("webhook", world.webhook::stop, world.webhook::start);
        long outages = System.nanoTime();

        feeds.stop();
        Set<String> expected = inputs.expected();
        world.awaitEverywhere(expected, Duration.ofSeconds(120));
        long drained = System.nanoTime();
        System.out.printf("chaos: %d events, kills %s; servers and first start %d s, kills %d s, outages %d s, drain %d s%n",
                expected.size(), kills, seconds(ready - t0), seconds(killed - ready), seconds(outages - killed),
                seconds(drained - outages));
        System.out.println("chaos: " + world.report(expected));
        System.out.println("chaos: NDJSON copies of repeated ids: " + world.repeats());

        Map<String, List<String>> sinks = world.sinks();
        assertThat(sinks.get("csv")).as("CSV sink").hasSameSizeAs(expected).doesNotHaveDuplicates();
        assertThat(sinks.get("ndjson")).as("NDJSON sink").hasSameSizeAs(expected).doesNotHaveDuplicates();
        sinks.forEach((name, ids) -> assertThat(new HashSet<>(ids)).as(name + " sink, by id").isEqualTo(expected));
        assertThat(Output.jsonFile(world.deadLetters())).as("dead letters").isEmpty();
        passed = true;
    }

    private static long seconds(long nanos) {
        return nanos / 1_000_000_000L;
    }

    /** SIGKILL once part, not all, of a unit's events reached the NDJSON sink (the unit's day file), then a restart. */
    private void killWhenUnder(Path dayFile, long total, String moment) {
        try {
            RelayRunner.await(Duration.ofSeconds(90), () -> SinkContents.lines(dayFile) > 0);
        } catch (AssertionError e) {
            throw new AssertionError(moment + ": nothing of the unit arrived:\n" + ChaosWorld.tail(world.relay.log()), e);
        }
        world.relay.kill();
        long seen = SinkContents.lines(dayFile);
        assertThat(seen).as(moment + ": killed while the unit was in flight").isLessThan(total);
        kills.add(moment + " at " + seen + "/" + total + " " + LocalTime.now());
        world.startRelay();
    }

    private void kill(String moment) {
        world.relay.kill();
        kills.add(moment + " " + LocalTime.now());
        world.startRelay();
    }

    @FunctionalInterface
    private interface Step {
        void run() throws Exception;
    }

    /** Holds the feed of a server, stops the server for the outage, starts it again and waits for the relay to go on. */
    private void outage(String server, Step stop, Step start) throws Exception {
        world.feeds.hold(server);
        stop.run();
        Thread.sleep(Duration.ofSeconds(OUTAGE_SECONDS).toMillis()); // the outage itself, not a wait for a result
        start.run();
        world.feeds.resume(server);
        LongSupplier delivered = () -> SinkContents.lines(world.ndjson().resolve("audit-" + Feeds.DAY + ".ndjson"));
        long before = delivered.getAsLong();
        RelayRunner.await(Duration.ofSeconds(90), () -> delivered.getAsLong() > before);
        assertThat(world.relay.isAlive()).as("the relay lives through the %s outage", server).isTrue();
    }
}
