package io.auditrelay.spine;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/** The sink endpoints every event is sent to, from {@code relay.sinks}. */
public class FanOut {

    private final List<String> sinks;
    private final String endpoints;

    public FanOut(List<String> sinks, Set<String> known) {
        List<String> unknown = sinks.stream().filter(s -> !known.contains(s)).toList();
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("relay.sinks names unknown sinks " + unknown + "; known sinks are " + known);
        }
        if (sinks.isEmpty()) {
            throw new IllegalArgumentException("relay.sinks is empty: enable at least one sink, e.g. relay.sinks=csv");
        }
        this.sinks = List.copyOf(sinks);
        this.endpoints = sinks.stream().map(s -> "direct:sink-" + s).collect(Collectors.joining(","));
    }

    public List<String> sinks() {
        return sinks;
    }

    /** The recipient list for the spine's fan-out. */
    public String endpoints() {
        return endpoints;
    }
}
