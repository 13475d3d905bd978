package io.auditrelay.sink;

import io.auditrelay.retry.Backoff;
import io.auditrelay.event.EventSink;
import io.auditrelay.event.AuditEvent;
import io.auditrelay.event.OneByOne;
import io.auditrelay.mapper.Json;
import io.auditrelay.event.Delivery;
import io.auditrelay.event.Headers;
import io.auditrelay.spine.SinkDelivery;
import io.auditrelay.spine.SinkRetries;
import io.auditrelay.spine.SinkRules;
import org.apache.camel.Exchange;
import org.apache.camel.Predicate;
import org.apache.camel.support.DefaultExchange;
import org.apache.camel.support.DefaultProducer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The producer of every sink endpoint: what the sink routes of the spine did before (routing rules, delivery in
 * groups of the sink's size with progress kept, retries with exponential backoff within the endpoint's budget, dead
 * letters), then the flush.
 *
 * <p>Body: the spine's chunk ({@code List<Delivery>}), or canonical events: a {@code List}/stream
 * ({@code Iterator}) of {@link AuditEvent}s (what audit-normalize-action produces), a single event, or its JSON.
 * A stream is delivered in chunks of {@value #CHUNK} events, so a large unit is never held whole.
 *
 * <p>Retries: a group the sink fails on is retried from the first event it had not accepted, after
 * {@code retryDelay} ms, doubling (with jitter) up to {@code maxRetries} retries; then the events it had not accepted
 * go to the dead-letter store with the sink's name and the exchange goes on. A group the sink refuses for good (a
 * non-retryable {@link SinkDeliveryException}) is dead-lettered at once.
 *
 * <p>Flush: the spine flushes every sink once at the end of its unit (it marks its chunks with {@link #FLUSH_LATER});
 * any other exchange (a Kamelet Pipe, a route of one's own) is flushed before the producer returns, so a flush
 * failure fails the exchange and its source does not acknowledge the unit.
 */
public class SinkProducer extends DefaultProducer {

    /** Exchange property set by the spine: the sinks are flushed at the end of the unit, not per exchange. */
    public static final String FLUSH_LATER = "relaySinkFlushLater";
    static final int CHUNK = 500;
    private static final long MAX_DELAY = 60_000;
    private static final Logger LOG = LoggerFactory.getLogger(SinkProducer.class);

    private final SinkEndpoint endpoint;

    public SinkProducer(SinkEndpoint endpoint) {
        super(endpoint);
        this.endpoint = endpoint;
    }

    @Override
    public SinkEndpoint getEndpoint() {
        return endpoint;
    }

    @Override
    @SuppressWarnings("unchecked")
    public void process(Exchange exchange) throws Exception {
        EventSink sink = endpoint.sink();
        if (sink == null) {
            throw new IllegalStateException("the sink " + endpoint.name() + " is not running");
        }
        Object body = exchange.getMessage().getBody();
        String location = exchange.getMessage().getHeader(Headers.LOCATION, String.class);
        if (body instanceof List<?> list && (list.isEmpty() || list.get(0) instanceof Delivery)) {
            deliver(sink, (List<Delivery>) list, exchange);
        } else {
            Iterator<?> items = OneByOne.of(body);
            List<Delivery> chunk = new ArrayList<>();
            while (items.hasNext()) {
                chunk.add(delivery(items.next(), location));
                if (chunk.size() >= CHUNK) {
                    deliver(sink, chunk, exchange);
                    chunk = new ArrayList<>();
                }
            }
            if (!chunk.isEmpty()) {
                deliver(sink, chunk, exchange);
            }
        }
        if (!exchange.getProperty(FLUSH_LATER, false, Boolean.class)) {
            sink.flush();
        }
    }

    private static Delivery delivery(Object item, String location) throws Exception {
        if (item instanceof Delivery d) {
            return d;
        }
        AuditEvent event;
        if (item instanceof AuditEvent e) {
            event = e;
        } else if (item instanceof byte[] bytes) {
            event = Json.MAPPER.readValue(bytes, AuditEvent.class);
        } else if (item instanceof String text) {
            event = Json.MAPPER.readValue(text, AuditEvent.class);
        } else {
            throw new IllegalArgumentException("a sink takes canonical events (io.auditrelay.event.AuditEvent), not "
                    + (item == null ? "null" : item.getClass().getName()));
        }
        return new Delivery(event, location == null ? null
                : io.auditrelay.event.SourceRecord.unparsable(event.vendor(), null, location, null));
    }

    /** The chunk's events the sink's rules accept, delivered in groups with retries; what is left dead-lettered. */
    private void deliver(EventSink sink, List<Delivery> chunk, Exchange exchange) throws Exception {
        SinkRules.Rule rule = endpoint.rule();
        List<Delivery> selected = rule == null || rule.acceptsAll() ? chunk : SinkRules.select(chunk, rule);
        String name = endpoint.name();
        selected = when(selected, name);
        if (selected.isEmpty()) {
            return;
        }
        SinkDelivery groups = new SinkDelivery(endpoint.deadLetters(), endpoint.stats());
        int[] accepted = {0};
        int retries = 0;
        while (true) {
            try {
                groups.deliver(name, sink, selected, accepted, exchange);
                return;
            } catch (Exception e) {
                if (SinkRetries.retryable(e, retries + 1, endpoint.getMaxRetries()) && isRunAllowed()) {
                    retries++;
                    long delay = delay(retries);
                    LOG.warn("Sink {} failed on event {} of {} ({}); retry {}{} in {} ms", name, accepted[0] + 1,
                            selected.size(), e.getMessage(), retries,
                            endpoint.getMaxRetries() < 0 ? "" : " of " + endpoint.getMaxRetries(), delay);
                    try {
                        Thread.sleep(delay);
                    } catch (InterruptedException interrupted) {
                        Thread.currentThread().interrupt();
                        throw e; // stopping: the unit fails and is read again
                    }
                    continue;
                }
                for (Delivery d : selected.subList(accepted[0], selected.size())) {
                    endpoint.deadLetters().recordDelivery(d, name, e);
                }
                return;
            }
        }
    }

    /**
     * The events the endpoint's {@code when} predicate accepts (evaluated with the event as the body). An event the
     * predicate cannot be evaluated on is dead-lettered with the reason, so nothing is dropped silently.
     */
    private List<Delivery> when(List<Delivery> chunk, String name) {
        Predicate when = endpoint.whenPredicate();
        if (when == null || chunk.isEmpty()) {
            return chunk;
        }
        Exchange probe = new DefaultExchange(endpoint.getCamelContext());
        List<Delivery> accepted = new ArrayList<>(chunk.size());
        for (Delivery d : chunk) {
            probe.getMessage().setBody(d.event());
            try {
                if (when.matches(probe)) {
                    accepted.add(d);
                }
            } catch (RuntimeException e) {
                // the reason without the exception's rendering of the event (Camel's bean errors print the body)
                String message = String.valueOf(e.getMessage());
                int bean = message.indexOf(" on bean: ");
                endpoint.deadLetters().recordDelivery(d, name, new IllegalArgumentException(
                        "the sink's when predicate failed on this event: "
                                + (bean < 0 ? message : message.substring(0, bean))));
            }
        }
        return accepted;
    }

    /** Exponential backoff from retryDelay with jitter (the relay's one schedule), capped at 60 s. */
    private long delay(int retry) {
        return Backoff.ofMillis(endpoint.getRetryDelay(), MAX_DELAY).delay(retry).toMillis();
    }
}
