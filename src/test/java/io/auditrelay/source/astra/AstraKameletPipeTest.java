package io.auditrelay.source.astra;

import com.fasterxml.jackson.databind.JsonNode;
import io.auditrelay.event.AuditEvent;
import io.auditrelay.event.Headers;
import io.auditrelay.testing.Output;
import io.auditrelay.testing.PulsarServer;
import io.auditrelay.testing.RelayRunner;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.pulsar.client.api.Producer;
import org.apache.pulsar.client.api.PulsarClient;
import org.apache.pulsar.client.api.Schema;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The astra-audit-source Kamelet in a Pipe-style binding against a real Pulsar standalone: each record of a unit goes
 * through the normalize step (persistent dedupe and dead-letter stores) to a sink; a bad message in the middle is
 * dead-lettered, a failing sink makes Pulsar redeliver, and a restart of the context mid-way re-reads only the
 * messages that were not acknowledged, so every event reaches the sink exactly once.
 */
@Timeout(240)
class AstraKameletPipeTest {

    private static PulsarServer pulsar;
    private static PulsarClient client;

    @TempDir
    Path dir;

    /** Event ids the sink accepted, across both runs: a repeat would show. */
    private final List<String> delivered = new CopyOnWriteArrayList<>();
    private volatile int sinkLimit = Integer.MAX_VALUE;
    private final List<String> sinkFailures = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void broker() throws Exception {
        pulsar = PulsarServer.shared();
        client = PulsarClient.builder().serviceUrl(pulsar.serviceUrl()).build();
    }

    @AfterAll
    static void close() throws Exception {
        if (client != null) {
            client.close();
        }
    }

    /** The Pipe: source Kamelet, normalize action (persistent dedupe and dead letters), a sink that fails past its limit. */
    @SuppressWarnings("unchecked")
    private CamelContext pipe(String topic, List<String> units, List<String> completed) throws Exception {
        DefaultCamelContext context = new DefaultCamelContext();
        context.getShutdownStrategy().setTimeout(10);
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                // service URL and topic hold / and : and reach the endpoint as given
                from("kamelet:astra-audit-source?serviceUrl=" + pulsar.serviceUrl() + "&topic=" + topic
                        + "&auth=none&subscription=pipe&nackRedeliveryDelay=300")
                        .process(e -> units.add(e.getMessage().getHeader(Headers.LOCATION, String.class)))
                        .to("kamelet:audit-normalize-action?vendor=astra&stateDir=" + dir.resolve("state")
                                + "&dlqDir=" + dir.resolve("dlq"))
                        .process(e -> {
                            for (AuditEvent event : (List<AuditEvent>) e.getMessage().getBody(List.class)) {
                                if (delivered.size() >= sinkLimit) {
                                    sinkFailures.add(e.getMessage().getHeader(Headers.LOCATION, String.class));
                                    throw new IllegalStateException("sink down");
                                }
                                delivered.add(event.id());
                            }
                        })
                        .process(e -> completed.add(e.getMessage().getHeader(Headers.LOCATION, String.class)));
            }
        });
        context.start();
        return context;
    }

    @Test
    void a_bad_message_is_dead_lettered_and_a_restart_mid_way_rereads_only_what_was_not_acknowledged() throws Exception {
        String topic = "persistent://public/default/astra-pipe-" + UUID.randomUUID();
        List<String> messages = new ArrayList<>();
        for (int i = 1; i <= 10; i++) {
            messages.add(i == 5 ? "not json at all" : AstraPulsarSourceTest.event("u-" + i, "db-" + i));
        }
        List<String> locations = new ArrayList<>();
        try (Producer<String> producer = client.newProducer(Schema.STRING).topic(topic).enableBatching(false).create()) {
            for (String m : messages) {
                locations.add(topic + "/" + producer.send(m));
            }
        }
        Path deadLetters = dir.resolve("dlq").resolve("dead-letters.jsonl");

        // first run: the sink takes 4 events, then fails: messages 1-5 are acknowledged (5 dead-lettered),
        // 6-10 are negatively acknowledged and come again
        sinkLimit = 4;
        List<String> firstUnits = new CopyOnWriteArrayList<>();
        List<String> firstCompleted = new CopyOnWriteArrayList<>();
        try (CamelContext first = pipe(topic, firstUnits, firstCompleted)) {
            RelayRunner.await(Duration.ofSeconds(90), () -> delivered.size() == 4 && firstCompleted.size() == 5
                    && sinkFailures.stream().filter(l -> l.equals(locations.get(5))).count() >= 2);
        }
        assertThat(firstCompleted).containsExactlyInAnyOrderElementsOf(locations.subList(0, 5));
        assertThat(Output.jsonFile(deadLetters)).hasSize(1);

        // restart with a working sink: only the unacknowledged messages 6-10 come, each once
        sinkLimit = Integer.MAX_VALUE;
        List<String> secondUnits = new CopyOnWriteArrayList<>();
        List<String> secondCompleted = new CopyOnWriteArrayList<>();
        try (CamelContext second = pipe(topic, secondUnits, secondCompleted)) {
            RelayRunner.await(Duration.ofSeconds(90), () -> delivered.size() == 9 && secondCompleted.size() == 5);
        }
        assertThat(secondUnits).containsExactlyInAnyOrderElementsOf(locations.subList(5, 10));
        assertThat(delivered).hasSize(9).doesNotHaveDuplicates().allMatch(id -> id.matches("astra:[0-9a-f]{64}"));

        List<JsonNode> dead = Output.jsonFile(deadLetters);
        assertThat(dead).hasSize(1);
        assertThat(dead.get(0).get("source").asText()).isEqualTo(locations.get(4));
        assertThat(dead.get(0).get("error").asText()).isNotBlank();
        assertThat(Files.readString(deadLetters)).contains("not json at all");

        // everything was acknowledged: a third run gets nothing (after another message shows it is reading)
        Set<String> thirdUnits = new HashSet<>();
        List<String> thirdCompleted = new CopyOnWriteArrayList<>();
        String last;
        try (CamelContext third = pipe(topic, new CopyOnWriteArrayList<>(), thirdCompleted);
             Producer<String> producer = client.newProducer(Schema.STRING).topic(topic).enableBatching(false).create()) {
            last = topic + "/" + producer.send(AstraPulsarSourceTest.event("u-11", "db-11"));
            RelayRunner.await(Duration.ofSeconds(60), () -> !thirdCompleted.isEmpty());
            thirdUnits.addAll(thirdCompleted);
        }
        assertThat(thirdUnits).containsExactly(last);
        assertThat(delivered).hasSize(10).doesNotHaveDuplicates();
    }
}
