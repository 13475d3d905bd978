package io.auditrelay.spine;

import io.auditrelay.event.Delivery;
import io.auditrelay.event.Headers;
import io.auditrelay.event.EventSink;
import io.auditrelay.event.SinkDeliveryException;
import org.apache.camel.Exchange;

import java.util.List;

/**
 * Hands a chunk ({@code List<Delivery>}, already filtered by the sink's routing rules) to a sink engine in groups of
 * its {@link EventSink#groupSize()}: used by every sink endpoint's producer.
 *
 * <p>Progress is kept ({@code accepted}, or the exchange property {@link #ACCEPTED} for {@link #deliver(Exchange)}), so
 * a retry after a failure goes on from the first group the sink had not accepted, and when the retry budget is spent
 * the dead-letter store takes the events from there on. A group the sink refuses for good (a non-retryable
 * {@link SinkDeliveryException}, e.g. an HTTP 400) is dead-lettered at once and the rest of the chunk goes on.
 */
public class SinkDelivery {

    /** Exchange property: how many events of the chunk the sink accepted (or dead-lettered) so far. */
    public static final String ACCEPTED = "relaySinkAccepted";

    private final DeadLetterStore deadLetters;
    private final RelayStats stats;

    public SinkDelivery(DeadLetterStore deadLetters, RelayStats stats) {
        this.deadLetters = deadLetters;
        this.stats = stats;
    }

    @SuppressWarnings("unchecked")
    public void deliver(Exchange exchange) throws Exception {
        String name = exchange.getMessage().getHeader(Headers.SINK, String.class);
        EventSink sink = FanOut.sink(exchange.getContext(), name);
        if (sink == null) {
            throw new IllegalStateException("no bean " + name + "Sink for sink " + name);
        }
        List<Delivery> chunk = exchange.getMessage().getBody(List.class);
        int[] accepted = {exchange.getProperty(ACCEPTED, 0, Integer.class)};
        try {
            deliver(name, sink, chunk, accepted, exchange);
        } finally {
            exchange.setProperty(ACCEPTED, accepted[0]);
        }
    }

    /**
     * Hands {@code chunk} to {@code sink} from event {@code accepted[0]} on, in groups of its size; {@code accepted[0]}
     * is advanced past every group the sink accepted (or refused for good: dead-lettered at once), so a retry goes on
     * from there. Throws the sink's (retryable) failure.
     */
    public void deliver(String name, EventSink sink, List<Delivery> chunk, int[] accepted, Exchange exchange) throws Exception {
        int step = Math.max(1, sink.groupSize());
        int counted = accepted[0];
        try {
            while (accepted[0] < chunk.size()) {
                List<Delivery> group = chunk.subList(accepted[0], Math.min(chunk.size(), accepted[0] + step));
                try {
                    sink.acceptAll(group, exchange);
                } catch (Exception e) {
                    if (!SinkDeliveryException.isFinal(e)) {
                        throw e;
                    }
                    stats.deliveredTo(name, chunk.subList(counted, accepted[0]));
                    group.forEach(delivery -> deadLetters.recordDelivery(delivery, name, e));
                    counted = accepted[0] + group.size();
                }
                accepted[0] += group.size();
            }
        } finally {
            stats.deliveredTo(name, chunk.subList(counted, accepted[0]));
        }
    }
}
