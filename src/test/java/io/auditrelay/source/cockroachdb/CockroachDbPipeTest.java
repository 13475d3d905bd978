package io.auditrelay.source.cockroachdb;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.auditrelay.event.AuditEvent;
import io.auditrelay.mapper.Json;
import io.auditrelay.event.Headers;
import io.auditrelay.event.SourceRecord;
import io.auditrelay.testing.KafkaServer;
import io.auditrelay.testing.RelayRunner;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@code cockroachdb-audit-source} Kamelet as a Pipe runs it: each API page one message, through the
 * {@code audit-normalize-action} Kamelet (persistent dedupe and dead-letter stores) into a list that keeps every
 * repeat, and (first test) the {@code audit-kafka-sink} Kamelet on a real broker. A bad entry in the middle of a page is dead-lettered and the rest flows; a page whose
 * route failed is not acknowledged, so a new context reads from the last acknowledged page only.
 */
@SuppressWarnings("unchecked")
class CockroachDbPipeTest {

    @TempDir
    Path dir;

    private final FakeCockroachCloud api = new FakeCockroachCloud();
    private final List<String> delivered = new CopyOnWriteArrayList<>();
    private final List<String> units = new CopyOnWriteArrayList<>();
    private volatile boolean failing;

    CockroachDbPipeTest() throws Exception {
    }

    @AfterEach
    void tearDown() {
        api.close();
    }

    private CamelContext pipe(Path stateDir) throws Exception {
        return pipe(stateDir, 4, null);
    }

    private CamelContext pipe(Path stateDir, int pageSize, String kafkaTopic) throws Exception {
        CamelContext context = new DefaultCamelContext();
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                // the URL (with '/' and ':') and the state directory (an absolute path) must arrive intact
                from("kamelet:cockroachdb-audit-source?url=" + api.url() + "&apiKey=" + FakeCockroachCloud.KEY
                        + "&pageSize=" + pageSize + "&pollInterval=200ms&backoff=100ms&maxBackoff=300ms&stateDir=" + stateDir)
                        .process(e -> units.add(e.getMessage().getHeader(Headers.VENDOR) + " "
                                + e.getMessage().getHeader(Headers.LOCATION) + " "
                                + e.getMessage().getBody(List.class).size() + " "
                                + (e.getMessage().getBody(List.class).get(0) instanceof SourceRecord)))
                        .to("kamelet:audit-normalize-action?vendor=cockroachdb&stateDir=" + dir.resolve("relay-state")
                                + "&dlqDir=" + dir.resolve("dlq"))
                        .process(e -> {
                            List<String> ids = ((List<AuditEvent>) e.getMessage().getBody(List.class)).stream()
                                    .map(AuditEvent::id).toList();
                            if (failing && ids.stream().anyMatch(id -> id.compareTo("cockroachdb:e08") >= 0)) {
                                throw new IllegalStateException("the sink is down");
                            }
                            delivered.addAll(ids);
                        })
                        .to(kafkaTopic == null ? "log:delivered?level=DEBUG"
                                : "kamelet:audit-kafka-sink?bootstrapServers=" + KafkaServer.shared().bootstrapServers()
                                        + "&topic=" + kafkaTopic);
            }
        });
        context.start();
        return context;
    }

    @Test
    void a_bad_entry_is_dead_lettered_the_rest_arrives_once_and_a_new_context_reads_only_what_was_not_acknowledged()
            throws Exception {
        for (int i = 1; i <= 12; i++) {
            String id = String.format("e%02d", i);
            String at = String.format("2024-05-01T10:00:%02d.000001Z", i);
            if (i == 6) {
                ObjectNode bad = Json.MAPPER.createObjectNode().put("id", id).put("created_at", at); // no action
                api.addRaw(at, bad);
            } else {
                api.add(id, at);
            }
        }
        Path stateDir = dir.resolve("pipe-state");
        Path cursorFile = stateDir.resolve(CursorStore.FILE_NAME);
        // pages of 4 with the inclusive boundary: e01-e04, e05-e07, e08-e10, e11-e12; the third one fails
        String topic = "crdb-pipe-" + System.nanoTime();
        failing = true;
        try (CamelContext first = pipe(stateDir, 4, topic)) {
            RelayRunner.await(Duration.ofSeconds(30), () -> api.requests().stream()
                    .filter(r -> "2024-05-01T10:00:07.000001Z".equals(r.startingFrom())).count() >= 3);
        }
        assertThat(delivered).containsExactly("cockroachdb:e01", "cockroachdb:e02", "cockroachdb:e03", "cockroachdb:e04",
                "cockroachdb:e05", "cockroachdb:e07");
        JsonNode cursor = Json.MAPPER.readTree(Files.readString(cursorFile));
        assertThat(cursor.get("starting_from").asText()).isEqualTo("2024-05-01T10:00:07.000001Z");
        List<String> dead = Files.readAllLines(dir.resolve("dlq/dead-letters.jsonl"));
        assertThat(dead).hasSize(1);
        assertThat(dead.get(0)).contains("e06").contains("action").contains("GET /api/v1/auditlogevents");
        assertThat(units.get(0)).matches("cockroachdb GET /api/v1/auditlogevents\\?sort_order=ASC&limit=4 4 true");

        failing = false;
        int before = api.requests().size();
        try (CamelContext second = pipe(stateDir, 4, topic)) {
            RelayRunner.await(Duration.ofSeconds(30), () -> delivered.size() == 11);
            RelayRunner.await(Duration.ofSeconds(10), () -> api.requests().size() >= before + 3); // drained, polled again
        }

        assertThat(api.requests().get(before).startingFrom()).isEqualTo("2024-05-01T10:00:07.000001Z");
        assertThat(delivered).containsExactly("cockroachdb:e01", "cockroachdb:e02", "cockroachdb:e03", "cockroachdb:e04",
                "cockroachdb:e05", "cockroachdb:e07", "cockroachdb:e08", "cockroachdb:e09", "cockroachdb:e10",
                "cockroachdb:e11", "cockroachdb:e12");
        assertThat(Files.readAllLines(dir.resolve("dlq/dead-letters.jsonl"))).hasSize(1);
        assertThat(consume(topic, 11)).containsExactly("cockroachdb:e01", "cockroachdb:e02", "cockroachdb:e03",
                "cockroachdb:e04", "cockroachdb:e05", "cockroachdb:e07", "cockroachdb:e08", "cockroachdb:e09",
                "cockroachdb:e10", "cockroachdb:e11", "cockroachdb:e12");
        assertThat(Json.MAPPER.readTree(Files.readString(cursorFile)).get("starting_from").asText())
                .isEqualTo("2024-05-01T10:00:12.000001Z");
    }

    @Test
    void five_hundred_entries_with_one_lacking_its_action_in_the_middle_deliver_499_once_and_dead_letter_one() throws Exception {
        for (int i = 1; i <= 500; i++) {
            String id = String.format("m%03d", i);
            String at = String.format("2024-05-01T10:%02d:%02d.000001Z", i / 60, i % 60);
            if (i == 250) {
                api.addRaw(at, Json.MAPPER.createObjectNode().put("id", id).put("created_at", at));
            } else {
                api.add(id, at);
            }
        }
        try (CamelContext context = pipe(dir.resolve("pipe-state"), 200, null)) {
            RelayRunner.await(Duration.ofSeconds(60), () -> delivered.size() >= 499);
            int requests = api.requests().size();
            RelayRunner.await(Duration.ofSeconds(10), () -> api.requests().size() >= requests + 2); // polling after the drain
        }

        assertThat(delivered).hasSize(499).doesNotHaveDuplicates().doesNotContain("cockroachdb:m250");
        assertThat(Files.readAllLines(dir.resolve("dlq/dead-letters.jsonl"))).singleElement().asString().contains("m250");
        // three pages, then only the empty end is asked again: no page is sent twice
        assertThat(units).hasSize(3);
    }

    /** The keys of the topic's records, in order (one partition), after {@code count} arrived and a short extra poll. */
    private static List<String> consume(String topic, int count) {
        List<String> keys = new java.util.ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaServer.shared().bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName()))) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (keys.size() < count && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(500)).forEach(r -> keys.add(r.key()));
            }
            consumer.poll(Duration.ofMillis(500)).forEach(r -> keys.add(r.key())); // no more than expected
        }
        return keys;
    }
}
