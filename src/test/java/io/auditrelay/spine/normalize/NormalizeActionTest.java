package io.auditrelay.spine.normalize;

import io.auditrelay.event.AuditEvent;
import io.auditrelay.event.OneByOne;
import io.auditrelay.spine.DeadLetterStore;
import io.auditrelay.spine.Normalizer;
import io.auditrelay.event.SourceRecord;
import io.auditrelay.testing.Output;
import io.auditrelay.unit.SourceUnit;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.SynchronizationAdapter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@code audit-normalize-action} Kamelet between a source's unit of records and a sink: bad records dead-lettered
 * while the rest goes on, ids recorded only once the whole unit went through, and kept across a restart.
 */
class NormalizeActionTest {

    @TempDir
    Path dir;

    private final List<String> delivered = new CopyOnWriteArrayList<>();

    @Test
    void a_bad_record_is_dead_lettered_and_the_rest_of_the_unit_reaches_the_sink_once() throws Exception {
        List<SourceRecord> unit = List.of(event("a"), Normalizer.parse("conduktor", "{not json", "unit-1 #2"), event("b"));
        try (CamelContext context = pipe()) {
            Exchange done = send(context, unit);
            assertThat(done.getException()).isNull();
            assertThat(delivered).containsExactly("conduktor:a", "conduktor:b");
            assertThat(Output.jsonFile(dir.resolve("dlq").resolve(DeadLetterStore.FILE_NAME)))
                    .singleElement().satisfies(entry -> {
                        assertThat(entry.get("source").asText()).isEqualTo("unit-1 #2");
                        assertThat(entry.get("raw").asText()).isEqualTo("{not json");
                        assertThat(entry.get("error").asText()).contains("not valid JSON");
                    });

            // the same unit read again (e.g. its acknowledgement was lost): nothing delivered twice
            assertThat(send(context, unit).getException()).isNull();
            assertThat(delivered).containsExactly("conduktor:a", "conduktor:b");
        }
        // a new process on the same state directory remembers what was delivered
        try (CamelContext context = pipe()) {
            send(context, List.of(event("a"), event("c")));
            assertThat(delivered).containsExactly("conduktor:a", "conduktor:b", "conduktor:c");
        }
    }

    @Test
    void an_event_the_sink_refused_fails_the_unit_and_the_unit_is_delivered_when_read_again() throws Exception {
        List<SourceRecord> unit = List.of(event("a"), event("b"), event("c"));
        try (CamelContext context = pipe()) {
            context.getRegistry().bind("failOn", "conduktor:b");
            Exchange failed = send(context, unit);
            assertThat(failed.getException()).hasMessageContaining("sink refused conduktor:b");
            assertThat(delivered).containsExactly("conduktor:a");

            // read again: the whole unit counts as new (at least once: a reached the sink before the unit failed)
            context.getRegistry().unbind("failOn");
            assertThat(send(context, unit).getException()).isNull();
            assertThat(delivered).containsExactly("conduktor:a", "conduktor:a", "conduktor:b", "conduktor:c");
            assertThat(send(context, unit).getException()).isNull();
            assertThat(delivered).hasSize(4);
        }
    }

    /** Sends a unit the way a source endpoint does: its lifecycle begun on the exchange it creates. */
    private Exchange send(CamelContext context, List<SourceRecord> unit) {
        return context.createProducerTemplate().send("direct:unit", e -> {
            SourceUnit.begin(e, new SynchronizationAdapter());
            e.getMessage().setBody(unit);
        });
    }

    private CamelContext pipe() throws Exception {
        CamelContext context = new DefaultCamelContext();
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                // a source Kamelet's unit, the action, and a sink that takes the events one by one
                from("direct:unit")
                        .to("kamelet:audit-normalize-action?vendor=conduktor&stateDir=" + dir.resolve("state")
                                + "&dlqDir=" + dir.resolve("dlq"))
                        .split(method(OneByOne.class, "of")).stopOnException()
                        .process(e -> {
                            String id = e.getMessage().getBody(AuditEvent.class).id();
                            if (id.equals(e.getContext().getRegistry().lookupByName("failOn"))) {
                                throw new IllegalStateException("sink refused " + id);
                            }
                            delivered.add(id);
                        });
            }
        });
        context.start();
        return context;
    }

    private static SourceRecord event(String id) {
        return Normalizer.parse("conduktor", "{\"specversion\":\"1.0\",\"id\":\"" + id + "\","
                + "\"source\":\"//kafka/kafkacluster/production/topic/orders\",\"type\":\"AuditLogEventType(Kafka,Topic,Create)\","
                + "\"time\":\"2024-10-10T07:52:01.483140Z\",\"data\":{\"eventType\":\"Kafka.Topic.Create\"}}", "unit-1");
    }
}
