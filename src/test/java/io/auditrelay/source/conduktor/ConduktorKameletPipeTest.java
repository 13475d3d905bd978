package io.auditrelay.source.conduktor;

import com.fasterxml.jackson.databind.JsonNode;
import io.auditrelay.event.AuditEvent;
import io.auditrelay.spine.DeadLetterStore;
import io.auditrelay.event.Headers;
import io.auditrelay.event.SourceRecord;
import io.auditrelay.testing.KafkaServer;
import io.auditrelay.testing.Output;
import io.auditrelay.testing.RelayRunner;
import io.auditrelay.unit.SourceUnit;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.SynchronizationAdapter;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@code conduktor-audit-source} Kamelet as a Pipe runs it, on a real broker: 100 structured + 100 binary-mode
 * + 100 structured CloudEvents, a unit that fails once, and a restart in the middle; every record reaches the Pipe's
 * next step exactly once (the measured Kamelet before: binary mode not decoded, 100 of 300 delivered, 8,200 repeats).
 */
@Timeout(180)
class ConduktorKameletPipeTest {

    private static KafkaServer kafka;

    @TempDir
    Path dir;

    @BeforeAll
    static void broker() {
        kafka = KafkaServer.shared();
    }

    static List<ProducerRecord<String, String>> structuredBinaryStructured(String topic) {
        List<ProducerRecord<String, String>> records = new ArrayList<>(ConduktorKafkaSourceTest.structuredRecords(topic, "s1-", 100));
        for (int i = 0; i < 100; i++) {
            records.add(ConduktorKafkaSourceTest.binary(topic, "b-" + i));
        }
        records.addAll(ConduktorKafkaSourceTest.structuredRecords(topic, "s2-", 100));
        return records;
    }

    /**
     * Holds a unit that has an id starting with {@code prefix} until its context is stopping, so a stop comes in the
     * middle of the topic however fast the units before it went through.
     */
    static void holdUntilStopping(Exchange exchange, List<String> ids, String prefix) {
        if (ids.stream().anyMatch(id -> id.startsWith(prefix))) {
            RelayRunner.await(Duration.ofSeconds(60), exchange.getContext()::isStopping);
        }
    }

    /**
     * The Pipe's source with a step that collects the ids of every unit it completed (it does not hide repeats); with
     * {@code holdS2}, the units holding the last hundred records wait until the context is stopping.
     */
    static CamelContext pipe(String sourceUri, List<String> delivered, List<String> binaryActions, List<String> units,
                             AtomicBoolean failOnce, boolean holdS2) throws Exception {
        CamelContext context = new DefaultCamelContext();
        context.addRoutes(new RouteBuilder() {
            @Override
            @SuppressWarnings("unchecked")
            public void configure() {
                from(sourceUri)
                        .process(e -> {
                            List<SourceRecord> unit = e.getMessage().getBody(List.class);
                            List<String> ids = unit.stream().map(r -> r.record().path("id").asText()).toList();
                            if (holdS2) {
                                holdUntilStopping(e, ids, "s2-");
                            }
                            if (ids.contains("b-50") && failOnce.compareAndSet(true, false)) {
                                throw new IllegalStateException("the next step refuses this unit once");
                            }
                            assertThat(e.getMessage().getHeader(Headers.VENDOR)).isEqualTo("conduktor");
                            units.add(e.getMessage().getHeader(Headers.LOCATION, String.class));
                            unit.stream().filter(r -> r.record().path("id").asText().startsWith("b-"))
                                    .forEach(r -> binaryActions.add(r.record().path("data").path("eventType").asText()));
                            e.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
                                @Override
                                public void onComplete(Exchange done) {
                                    delivered.addAll(ids);
                                }
                            });
                        });
            }
        });
        return context;
    }

    static void send(List<ProducerRecord<String, String>> records) throws Exception {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()), new StringSerializer(), new StringSerializer())) {
            for (ProducerRecord<String, String> r : records) {
                producer.send(r);
            }
            producer.flush();
        }
    }

    static long committed(String group, String topic) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            OffsetAndMetadata offset = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
                    .get(10, TimeUnit.SECONDS).get(new TopicPartition(topic, 0));
            return offset == null ? 0 : offset.offset();
        }
    }

    static boolean committedAtLeast(String group, String topic, long offset) {
        try {
            return committed(group, topic) >= offset;
        } catch (Exception e) {
            return false;
        }
    }

    @Test
    void structured_and_binary_events_all_arrive_exactly_once_across_a_failed_unit_and_a_restart() throws Exception {
        String topic = "pipe-conduktor-" + UUID.randomUUID();
        String group = "pipe-" + UUID.randomUUID();
        send(structuredBinaryStructured(topic));
        // a path with '/' and ':' must reach the endpoint as it is (PLAINTEXT: Kafka does not open it)
        String truststore = "/var/lib/relay/certs:v1/truststore.jks";
        String source = "kamelet:conduktor-audit-source?bootstrapServers=" + kafka.bootstrapServers() + "&topic=" + topic
                + "&groupId=" + group + "&maxPollRecords=20&retryDelay=100&sslTruststoreLocation=" + truststore;

        List<String> delivered = new CopyOnWriteArrayList<>();
        List<String> binaryActions = new CopyOnWriteArrayList<>();
        List<String> units = new CopyOnWriteArrayList<>();
        AtomicBoolean failOnce = new AtomicBoolean(true);

        try (CamelContext first = pipe(source, delivered, binaryActions, units, failOnce, true)) {
            first.start();
            ConduktorEndpoint endpoint = first.getEndpoints().stream().filter(ConduktorEndpoint.class::isInstance)
                    .map(ConduktorEndpoint.class::cast).findFirst().orElseThrow();
            assertThat(endpoint.getBrokers()).isEqualTo(kafka.bootstrapServers());
            assertThat(endpoint.getSslTruststoreLocation()).isEqualTo(truststore);
            assertThat(endpoint.getTopics()).isEqualTo(topic);
            assertThat(endpoint.getGroupId()).isEqualTo(group);
            // past the unit that failed once (it holds b-50, record 150) and read again
            RelayRunner.await(Duration.ofSeconds(60), () -> delivered.contains("b-60"));
            assertThat(failOnce).isFalse();
        } // a graceful stop in the middle: the units in flight finish and are committed, or are read again later
        assertThat(delivered).doesNotContain("s2-99");
        long committedAtStop = committed(group, topic);
        assertThat(committedAtStop).isGreaterThanOrEqualTo(160).isLessThan(300);

        try (CamelContext second = pipe(source, delivered, binaryActions, units, failOnce, false)) {
            second.start();
            RelayRunner.await(Duration.ofSeconds(60), () -> committedAtLeast(group, topic, 300));
        }

        List<String> expected = new ArrayList<>();
        for (String prefix : List.of("s1-", "b-", "s2-")) {
            for (int i = 0; i < 100; i++) {
                expected.add(prefix + i);
            }
        }
        assertThat(delivered).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(expected);
        // binary mode decoded: the ce_* headers became the event and the value its data
        assertThat(binaryActions).hasSize(100).containsOnly("Kafka.Topic.Delete");
        assertThat(units).allSatisfy(u -> assertThat(u).matches(java.util.regex.Pattern.quote(topic) + "/0/\\d+-\\d+"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void through_the_normalize_action_a_bad_record_is_dead_lettered_and_every_event_arrives_once_across_a_restart()
            throws Exception {
        String topic = "pipe-conduktor-" + UUID.randomUUID();
        String group = "pipe-" + UUID.randomUUID();
        List<ProducerRecord<String, String>> records = structuredBinaryStructured(topic);
        records.add(150, new ProducerRecord<>(topic, "this is not json")); // offset 150, between b-49 and b-50
        send(records);
        String source = "kamelet:conduktor-audit-source?bootstrapServers=" + kafka.bootstrapServers() + "&topic=" + topic
                + "&groupId=" + group + "&maxPollRecords=20&retryDelay=100";
        String action = "kamelet:audit-normalize-action?vendor=conduktor&stateDir=" + dir.resolve("state")
                + "&dlqDir=" + dir.resolve("dlq");

        List<String> delivered = new CopyOnWriteArrayList<>();
        AtomicBoolean failOnce = new AtomicBoolean(true);
        AtomicBoolean holdS2 = new AtomicBoolean(true); // in the first run: the stop comes before the end of the topic
        RouteBuilder pipe = new RouteBuilder() {
            @Override
            public void configure() {
                from(source)
                        .to(action)
                        // the Pipe's sink: takes the unit's events, keeps them only if the whole unit completed
                        .process(e -> {
                            List<String> ids = ((List<AuditEvent>) e.getMessage().getBody(List.class)).stream()
                                    .map(AuditEvent::id).toList();
                            if (holdS2.get()) {
                                holdUntilStopping(e, ids, "conduktor:s2-");
                            }
                            if (ids.contains("conduktor:s2-10") && failOnce.compareAndSet(true, false)) {
                                throw new IllegalStateException("the sink refuses this unit once");
                            }
                            SourceUnit.onCompletion(e, new SynchronizationAdapter() {
                                @Override
                                public void onComplete(Exchange done) {
                                    delivered.addAll(ids);
                                }
                            });
                        });
            }
        };

        try (CamelContext first = new DefaultCamelContext()) {
            first.addRoutes(pipe);
            first.start();
            RelayRunner.await(Duration.ofSeconds(60), () -> delivered.contains("conduktor:b-60"));
        } // stopped in the middle
        assertThat(delivered).doesNotContain("conduktor:s2-99");
        assertThat(committed(group, topic)).isLessThan(301);

        holdS2.set(false);
        try (CamelContext second = new DefaultCamelContext()) {
            second.addRoutes(pipe);
            second.start();
            RelayRunner.await(Duration.ofSeconds(60), () -> committedAtLeast(group, topic, 301));
        }

        assertThat(failOnce).as("the unit with s2-10 failed once and was read again").isFalse();
        List<String> expected = new ArrayList<>();
        for (String prefix : List.of("s1-", "b-", "s2-")) {
            for (int i = 0; i < 100; i++) {
                expected.add("conduktor:" + prefix + i);
            }
        }
        assertThat(delivered).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(expected);
        List<JsonNode> dead = Output.jsonFile(dir.resolve("dlq").resolve(DeadLetterStore.FILE_NAME));
        assertThat(dead).extracting(d -> d.get("source").asText()).containsExactly(topic + "/0/150");
        assertThat(dead.get(0).get("vendor").asText()).isEqualTo("conduktor");
        assertThat(dead.get(0).get("error").asText()).isNotBlank();
    }
}
