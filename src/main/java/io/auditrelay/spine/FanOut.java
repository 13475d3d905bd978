package io.auditrelay.spine;

import org.apache.camel.CamelContext;

import java.util.List;
import java.util.stream.Collectors;

/**
 * The sinks every event is sent to, from {@code relay.sinks}. A sink is a route with id
 * {@code sink-<name>} consuming {@code direct:sink-<name>}; adding a sink means adding that route.
 */
public class FanOut {

    private final List<String> sinks;
    private final String endpoints;

    public FanOut(List<String> sinks) {
        if (sinks.isEmpty()) {
            throw new IllegalArgumentException("relay.sinks is empty: enable at least one sink, e.g. relay.sinks=csv");
        }
        this.sinks = List.copyOf(sinks);
        this.endpoints = sinks.stream().map(s -> "direct:sink-" + s).collect(Collectors.joining(","));
    }

    public List<String> sinks() {
        return sinks;
    }

    /**
     * Whether the chunk in the body holds any event to send. (A method rather than {@code ${body.isEmpty()}}: the
     * simple language's method call looks the body up in a cache by its hash, which hashes every event of the chunk.)
     */
    public boolean hasEvents(List<?> chunk) {
        return !chunk.isEmpty();
    }

    /** The recipient list for the spine's fan-out. */
    public String endpoints() {
        return endpoints;
    }

    /**
     * Flushes every enabled sink (bean {@code <name>Sink}): called at the end of each source unit,
     * before the unit is acknowledged.
     */
    public void flush(org.apache.camel.Exchange exchange) throws Exception {
        flushSinks(exchange.getContext());
    }

    /** Flushes every enabled sink. */
    public void flushSinks(CamelContext context) throws Exception {
        for (String name : sinks) {
            io.auditrelay.sink.EventSink sink = sink(context, name);
            if (sink != null) {
                sink.flush();
            }
        }
    }

    /** The bean of sink {@code name} ({@code <name>Sink}), or null when the sink has none (e.g. a test-only route). */
    public static io.auditrelay.sink.EventSink sink(CamelContext context, String name) {
        return context.getRegistry().lookupByNameAndType(name + "Sink", io.auditrelay.sink.EventSink.class);
    }

    /** Fails the start with one clear sentence when {@code relay.sinks} names a sink that has no route. */
    public void checkRoutes(CamelContext context) {
        List<String> unknown = sinks.stream().filter(s -> context.getRoute("sink-" + s) == null).toList();
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("relay.sinks names unknown sinks " + unknown
                    + ": there is no route sink-<name> for them (the sinks are csv, ndjson, s3, kafka, webhook)");
        }
    }
}
