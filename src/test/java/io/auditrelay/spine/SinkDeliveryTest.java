package io.auditrelay.spine;

import io.auditrelay.event.Delivery;
import io.auditrelay.event.Headers;
import io.auditrelay.event.SourceRecord;
import com.fasterxml.jackson.databind.JsonNode;
import io.auditrelay.event.Activity;
import io.auditrelay.event.AuditEvent;
import io.auditrelay.event.Outcome;
import io.auditrelay.event.EventSink;
import io.auditrelay.event.SinkDeliveryException;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SinkDeliveryTest {

    @TempDir
    Path dir;

    private final DefaultCamelContext context = new DefaultCamelContext();
    private final RelayStats stats = new RelayStats(Clock.systemUTC());

    @AfterEach
    void close() throws Exception {
        context.close();
    }

    /** A sink taking groups of 2 that fails on the groups the test says, recording what it accepted. */
    static final class GroupSink implements EventSink {
        final List<String> accepted = new ArrayList<>();
        final List<List<String>> calls = new ArrayList<>();
        Predicate<List<String>> fails = g -> false;
        Exception failure;

        @Override
        public String name() {
            return "test";
        }

        @Override
        public void accept(AuditEvent event) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void acceptAll(List<Delivery> group, Exchange chunk) throws Exception {
            List<String> ids = group.stream().map(d -> d.event().id()).toList();
            calls.add(ids);
            if (fails.test(ids)) {
                throw failure;
            }
            accepted.addAll(ids);
        }

        @Override
        public int groupSize() {
            return 2;
        }
    }

    private static List<Delivery> chunk(int n) {
        return IntStream.rangeClosed(1, n).mapToObj(i -> new Delivery(
                new AuditEvent("airkit:e" + i, "2024-06-01T10:00:0" + i + "Z", "2026-01-01T00:00:00Z", "airkit", "user_login",
                        Activity.LOGIN, Outcome.SUCCESS, null, null, "org-1", null),
                SourceRecord.unparsable("airkit", "raw " + i, "f.ndjson:" + i, null))).toList();
    }

    private Exchange exchange(GroupSink sink, List<Delivery> chunk) {
        context.getRegistry().bind("testSink", sink);
        Exchange exchange = new DefaultExchange(context);
        exchange.getMessage().setHeader(Headers.SINK, "test");
        exchange.getMessage().setBody(chunk);
        return exchange;
    }

    @Test
    void a_redelivery_goes_on_from_the_first_group_the_sink_had_not_accepted() throws Exception {
        GroupSink sink = new GroupSink();
        sink.failure = new IllegalStateException("disk full");
        boolean[] failedOnce = {false};
        sink.fails = ids -> ids.contains("airkit:e3") && !failedOnce[0] && (failedOnce[0] = true);
        SinkDelivery delivery = new SinkDelivery(new DeadLetterStore(dir, Clock.systemUTC(), stats), stats);
        Exchange exchange = exchange(sink, chunk(5));

        assertThatThrownBy(() -> delivery.deliver(exchange)).hasMessage("disk full");
        assertThat(exchange.getProperty(SinkDelivery.ACCEPTED, Integer.class)).isEqualTo(2);
        delivery.deliver(exchange);

        assertThat(sink.calls).containsExactly(List.of("airkit:e1", "airkit:e2"), List.of("airkit:e3", "airkit:e4"),
                List.of("airkit:e3", "airkit:e4"), List.of("airkit:e5"));
        assertThat(sink.accepted).containsExactly("airkit:e1", "airkit:e2", "airkit:e3", "airkit:e4", "airkit:e5");
    }

    @Test
    void a_group_refused_for_good_is_dead_lettered_and_the_rest_of_the_chunk_goes_on() throws Exception {
        GroupSink sink = new GroupSink();
        sink.failure = new SinkDeliveryException("HTTP 400", false, 400, "{\"error\":\"bad\"}", null);
        sink.fails = ids -> ids.contains("airkit:e3");
        DeadLetterStore deadLetters = new DeadLetterStore(dir, Clock.systemUTC(), stats);
        Exchange exchange = exchange(sink, chunk(5));

        new SinkDelivery(deadLetters, stats).deliver(exchange);

        assertThat(sink.accepted).containsExactly("airkit:e1", "airkit:e2", "airkit:e5");
        List<JsonNode> dead = deadLetters.entries();
        assertThat(dead).extracting(e -> e.get("event").get("id").asText()).containsExactly("airkit:e3", "airkit:e4");
        assertThat(dead).allSatisfy(e -> {
            assertThat(e.get("sink").asText()).isEqualTo("test");
            assertThat(e.get("status").asInt()).isEqualTo(400);
            assertThat(e.get("error").asText()).isEqualTo("HTTP 400");
        });
        assertThat(dead.get(0).get("raw").asText()).isEqualTo("raw 3");
        assertThat(dead.get(0).get("source").asText()).isEqualTo("f.ndjson:3");
    }

    @Test
    void when_the_retries_are_spent_the_events_the_sink_had_not_accepted_are_dead_lettered() throws Exception {
        GroupSink sink = new GroupSink();
        sink.failure = new IllegalStateException("bucket unreachable");
        sink.fails = ids -> ids.contains("airkit:e3");
        DeadLetterStore deadLetters = new DeadLetterStore(dir, Clock.systemUTC(), stats);
        Exchange exchange = exchange(sink, chunk(5));
        try {
            new SinkDelivery(deadLetters, stats).deliver(exchange);
        } catch (IllegalStateException e) {
            exchange.setProperty(Exchange.EXCEPTION_CAUGHT, e);
        }

        deadLetters.record(exchange); // what routes/sinks.yaml does after the retry budget

        assertThat(sink.accepted).containsExactly("airkit:e1", "airkit:e2");
        assertThat(deadLetters.entries()).extracting(e -> e.get("event").get("id").asText())
                .containsExactly("airkit:e3", "airkit:e4", "airkit:e5");
        assertThat(deadLetters.entries()).allSatisfy(e -> assertThat(e.get("error").asText()).isEqualTo("bucket unreachable"));
        assertThat(stats.snapshot().get("airkit").deadLettered()).isEqualTo(3);
    }
}
