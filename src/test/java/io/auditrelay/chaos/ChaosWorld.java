package io.auditrelay.chaos;

import io.auditrelay.source.cockroachdb.FakeCockroachCloud;
import io.auditrelay.testing.KafkaServer;
import io.auditrelay.testing.ManagedServer;
import io.auditrelay.testing.Output;
import io.auditrelay.testing.PulsarServer;
import io.auditrelay.testing.RelayProcess;
import io.auditrelay.testing.RelayRunner;
import io.auditrelay.testing.S3ProxyServer;
import io.auditrelay.testing.TcpProxy;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.pulsar.client.api.Producer;
import org.apache.pulsar.client.api.PulsarClient;
import org.apache.pulsar.client.api.Schema;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Everything the crash suite and the soak run need around the relay: the real servers on loopback (Kafka, Pulsar,
 * S3Proxy), the CockroachDB API stand-in, a webhook receiver, a TCP proxy in front of S3Proxy for the S3 sink, the
 * feeds of every source, the relay as a child process with every source and sink, and the reading of every sink.
 */
final class ChaosWorld implements AutoCloseable {

    static final String SINK_BUCKET = "audit-sink";
    static final String AIRKIT_BUCKET = "airkit-logs";
    static final String SOURCE_TOPIC = "conduktor-audit";
    static final String SINK_TOPIC = "audit-events";
    static final String ASTRA_TOPIC = "persistent://public/default/astra-audit";
    static final String STARTED = "Apache Camel 4.17.0 (audit-relay) started";

    final Path dir;
    final KafkaServer kafka = new KafkaServer();
    final PulsarServer pulsar = new PulsarServer();
    final S3ProxyServer s3 = new S3ProxyServer();
    final Inputs inputs = new Inputs();
    private final List<AutoCloseable> closing = new ArrayList<>();
    private final List<String> jvmOptions;
    S3Client s3Client;
    FakeCockroachCloud api;
    WebhookRecorder webhook;
    TcpProxy s3Front;
    Feeds feeds;
    Map<String, String> properties;
    RelayProcess relay;
    int starts;

    ChaosWorld(Path dir, List<String> jvmOptions) {
        this.dir = dir;
        this.jvmOptions = jvmOptions;
    }

    /** Starts the servers (in parallel), the clients and the feeds; the relay is started by {@link #startRelay}. */
    void start() throws Exception {
        java.nio.file.Files.createDirectories(dir);
        CompletableFuture<Void> brokers = CompletableFuture.allOf(
                CompletableFuture.runAsync(kafka::start), CompletableFuture.runAsync(pulsar::start));
        s3.start();
        brokers.join();
        s3Client = S3Client.builder().endpointOverride(s3.endpoint()).forcePathStyle(true).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(s3.accessKey(), s3.secretKey())))
                .build();
        closing.add(s3Client);
        s3Client.createBucket(b -> b.bucket(SINK_BUCKET));
        s3Client.createBucket(b -> b.bucket(AIRKIT_BUCKET));
        api = new FakeCockroachCloud();
        closing.add(api);
        webhook = new WebhookRecorder();
        closing.add(webhook);
        s3Front = new TcpProxy(s3.port());
        closing.add(s3Front);
        KafkaProducer<String, String> kafkaProducer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName(),
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName()));
        closing.add(kafkaProducer);
        PulsarClient pulsarClient = PulsarClient.builder().serviceUrl(pulsar.serviceUrl()).build();
        closing.add(pulsarClient);
        Producer<String> pulsarProducer = pulsarClient.newProducer(Schema.STRING).topic(ASTRA_TOPIC)
                .enableBatching(false).sendTimeout(0, TimeUnit.SECONDS).create();
        closing.add(pulsarProducer);
        properties = relayProperties();
        feeds = new Feeds(inputs, inbox(), api, kafkaProducer, SOURCE_TOPIC, pulsarProducer, s3Client, AIRKIT_BUCKET);
        closing.add(feeds);
        feeds.start();
    }

    Path inbox() {
        return Path.of(properties.get("relay.inbox.dir"));
    }

    Path ndjson() {
        return Path.of(properties.get("relay.sink.ndjson.dir"));
    }

    Path csv() {
        return Path.of(properties.get("relay.sink.csv.dir"));
    }

    Path deadLetters() {
        return Path.of(properties.get("relay.dlq.dir")).resolve("dead-letters.jsonl");
    }

    /** The relay with every source and sink, the sinks' retry budgets outlasting an outage of a few tens of seconds. */
    private Map<String, String> relayProperties() {
        Map<String, String> p = RelayRunner.inDir(dir).properties();
        p.put("relay.sinks", "csv,ndjson,s3,kafka,webhook");
        p.put("relay.ingest.chunk-size", "100");
        p.put("relay.cluster.lock-interval-ms", "500");
        p.put("relay.source.cockroachdb.enabled", "true");
        p.put("relay.source.cockroachdb.url", api.url());
        p.put("relay.source.cockroachdb.api-key", FakeCockroachCloud.KEY);
        p.put("relay.source.cockroachdb.page-size", "300");
        p.put("relay.source.cockroachdb.poll-interval", "300ms");
        p.put("relay.source.cockroachdb.backoff", "200ms");
        p.put("relay.source.cockroachdb.max-backoff", "2s");
        p.put("relay.source.airkit.enabled", "true");
        p.put("relay.source.airkit.bucket", AIRKIT_BUCKET);
        p.put("relay.source.airkit.prefix", "logs/");
        p.put("relay.source.airkit.endpoint", s3.httpUrl());
        p.put("relay.source.airkit.access-key", s3.accessKey());
        p.put("relay.source.airkit.secret-key", s3.secretKey());
        p.put("relay.source.airkit.poll-interval", "300");
        p.put("relay.source.airkit.max-objects-per-poll", "5");
        p.put("relay.source.conduktor.enabled", "true");
        p.put("relay.source.conduktor.brokers", kafka.bootstrapServers());
        p.put("relay.source.conduktor.topic", SOURCE_TOPIC);
        p.put("relay.source.conduktor.group-id", "chaos");
        p.put("relay.source.conduktor.poll-timeout", "200");
        p.put("relay.source.conduktor.retry-delay", "300");
        // static membership: the restarted relay takes the killed one's place in the group at once, instead of
        // waiting for a rebalance around a member that no longer answers
        p.put("relay.source.conduktor.kafka.group.instance.id", "chaos-relay");
        p.put("relay.source.conduktor.kafka.session.timeout.ms", "6000");
        p.put("relay.source.conduktor.kafka.heartbeat.interval.ms", "1000");
        p.put("relay.source.astra.enabled", "true");
        p.put("relay.source.astra.service-url", pulsar.serviceUrl());
        p.put("relay.source.astra.topic", ASTRA_TOPIC);
        p.put("relay.source.astra.auth", "none");
        p.put("relay.sink.s3.bucket", SINK_BUCKET);
        p.put("relay.sink.s3.endpoint", s3Front.url());
        p.put("relay.sink.s3.access-key", s3.accessKey());
        p.put("relay.sink.s3.secret-key", s3.secretKey());
        p.put("relay.sink.s3.batch-size", "500");
        p.put("relay.sink.s3.batch-interval", "2000");
        p.put("relay.sink.s3.retry-delay", "500");
        p.put("relay.sink.s3.max-retries", "12");
        p.put("relay.sink.kafka.brokers", kafka.bootstrapServers());
        p.put("relay.sink.kafka.topic", SINK_TOPIC);
        p.put("relay.sink.kafka.max-retries", "12");
        p.put("relay.sink.webhook.url", webhook.url());
        p.put("relay.sink.webhook.secret", "whsec_" + Base64.getEncoder().encodeToString(
                "crash-suite-webhook-signing-key!".getBytes(StandardCharsets.UTF_8)));
        p.put("relay.sink.webhook.batch-size", "20");
        p.put("relay.sink.webhook.timeout", "5000");
        p.put("relay.sink.webhook.backoff", "200");
        p.put("relay.sink.webhook.max-backoff", "2000");
        p.put("relay.sink.webhook.max-retries", "60");
        return p;
    }

    /** Starts the relay (a new process, log {@code relay-<n>.log}) and waits until its Camel context started. */
    void startRelay() {
        starts++;
        relay = RelayProcess.start(properties, dir.resolve("relay-" + starts + ".log"), jvmOptions);
        try {
            RelayRunner.await(Duration.ofSeconds(120), () -> !relay.isAlive() || relay.log().contains(STARTED));
        } catch (AssertionError e) {
            throw new AssertionError("relay start " + starts + " did not finish:\n" + tail(relay.log()), e);
        }
        if (!relay.isAlive()) {
            throw new AssertionError("relay start " + starts + " ended:\n" + tail(relay.log()));
        }
    }

    /** The ids each sink holds now, duplicates included, by sink name. */
    Map<String, List<String>> sinks() {
        Map<String, Supplier<List<String>>> readers = new LinkedHashMap<>();
        readers.put("csv", () -> SinkContents.csv(csv()));
        readers.put("ndjson", () -> SinkContents.ndjson(ndjson()));
        readers.put("s3", () -> SinkContents.s3(s3Client, SINK_BUCKET));
        readers.put("kafka", () -> SinkContents.kafka(kafka.bootstrapServers(), SINK_TOPIC));
        readers.put("webhook", webhook::delivered);
        Map<String, List<String>> out = new LinkedHashMap<>();
        readers.forEach((name, read) -> out.put(name, read.get()));
        return out;
    }

    /** Waits until every sink holds every id fed; the failure names what is missing where. */
    void awaitEverywhere(Set<String> expected, Duration timeout) {
        try {
            RelayRunner.await(timeout, () -> relay.isAlive() && sinks().values().stream()
                    .allMatch(ids -> new HashSet<>(ids).containsAll(expected)));
        } catch (AssertionError e) {
            throw new AssertionError(report(expected) + "\nrelay log:\n" + tail(relay.log()), e);
        }
    }

    /** Per sink: how many ids, how many repeated, how many missing (with a few examples). */
    String report(Set<String> expected) {
        StringBuilder out = new StringBuilder("expected " + expected.size());
        Map<String, List<String>> sinks;
        try {
            sinks = sinks();
        } catch (RuntimeException | AssertionError e) {
            return out.append("; sinks unreadable: ").append(e.getMessage()).toString();
        }
        sinks.forEach((name, ids) -> {
            Set<String> distinct = new HashSet<>(ids);
            Set<String> missing = new HashSet<>(expected);
            missing.removeAll(distinct);
            out.append("; ").append(name).append(": ").append(ids.size()).append(" (").append(ids.size() - distinct.size())
                    .append(" repeated, ").append(missing.size()).append(" missing")
                    .append(missing.isEmpty() ? "" : " e.g. " + missing.stream().sorted().limit(5).toList()).append(')');
        });
        return out.toString();
    }

    /** For a few ids the NDJSON sink holds more than once: when the relay received each copy (which run wrote it). */
    Map<String, List<String>> repeats() {
        Map<String, List<String>> copies = new java.util.TreeMap<>();
        for (com.fasterxml.jackson.databind.JsonNode event : Output.json(ndjson())) {
            copies.computeIfAbsent(event.get("id").asText(), k -> new ArrayList<>()).add(event.get("received").asText());
        }
        copies.values().removeIf(c -> c.size() < 2);
        Map<String, Long> byVendor = new java.util.TreeMap<>();
        copies.keySet().forEach(id -> byVendor.merge(id.substring(0, id.indexOf(':')), 1L, Long::sum));
        Map<String, List<String>> out = new LinkedHashMap<>();
        out.put("by vendor", List.of(byVendor.toString()));
        copies.entrySet().stream().limit(12).forEach(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }

    static String tail(String log) {
        return log.length() <= 8000 ? log : log.substring(log.length() - 8000);
    }

    @Override
    public void close() {
        if (relay != null) {
            relay.kill();
        }
        List<AutoCloseable> reversed = new ArrayList<>(closing);
        Collections.reverse(reversed);
        for (AutoCloseable c : reversed) {
            try {
                c.close();
            } catch (Exception e) {
                // closing anyway
            }
        }
        List.of(kafka, pulsar, s3).forEach(ManagedServer::stop);
    }
}
