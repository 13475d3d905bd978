package io.auditrelay.spine;

import io.auditrelay.event.FlushableSink;
import org.apache.camel.CamelContext;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.support.service.ServiceHelper;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The sinks every event is sent to: {@code relay.sinks} names them, and each name maps to an endpoint URI
 * ({@code relay.sink.<name>.uri}, e.g. {@code audit-csv:data/out/csv?...}), so the spine's fan-out is a recipient
 * list of those URIs and a sink name can point at any endpoint. The relay's sink endpoints
 * (sink endpoints: audit-csv, audit-ndjson, audit-s3, audit-kafka, audit-webhook) select, retry and
 * dead-letter themselves; the spine flushes them once at the end of each source unit ({@link #flush}).
 */
public class FanOut {

    private final Map<String, String> uris;
    private final List<String> endpoints;
    /** The endpoints of {@link #endpoints}, looked up once per context (a URI is parsed and normalized per look-up). */
    private volatile Resolved resolved;

    private record Resolved(CamelContext context, List<Endpoint> endpoints) {
    }

    /** {@code uris}: sink name to endpoint URI, in the order of {@code relay.sinks}. */
    public FanOut(Map<String, String> uris) {
        if (uris.isEmpty()) {
            throw new IllegalArgumentException("relay.sinks is empty: enable at least one sink, e.g. relay.sinks=csv");
        }
        this.uris = new LinkedHashMap<>(uris);
        this.endpoints = List.copyOf(uris.values());
    }

    public List<String> sinks() {
        return List.copyOf(uris.keySet());
    }

    /** The endpoint URI of sink {@code name}, or null when it is not enabled. */
    public String uri(String name) {
        return uris.get(name);
    }

    /**
     * Whether the chunk in the body holds any event to send. (A method rather than {@code ${body.isEmpty()}}: the
     * simple language's method call looks the body up in a cache by its hash, which hashes every event of the chunk.)
     */
    public boolean hasEvents(List<?> chunk) {
        return !chunk.isEmpty();
    }

    /**
     * The recipient list for the spine's fan-out: the endpoint of each enabled sink, resolved from its URI (which may
     * hold commas) once rather than for every chunk.
     */
    public List<Endpoint> endpoints(Exchange exchange) {
        return resolve(exchange.getContext());
    }

    private List<Endpoint> resolve(CamelContext context) {
        Resolved current = resolved;
        if (current == null || current.context() != context) {
            List<Endpoint> list = new ArrayList<>(endpoints.size());
            for (String uri : endpoints) {
                list.add(context.getEndpoint(uri));
            }
            current = new Resolved(context, List.copyOf(list));
            resolved = current;
        }
        return current.endpoints();
    }

    /**
     * Flushes every enabled sink endpoint: called at the end of each source unit, before the unit is acknowledged.
     */
    public void flush(Exchange exchange) throws Exception {
        flushSinks(exchange.getContext());
    }

    /** Flushes every enabled sink endpoint (an endpoint of another kind has nothing to flush). */
    public void flushSinks(CamelContext context) throws Exception {
        for (Endpoint endpoint : resolve(context)) {
            if (endpoint instanceof FlushableSink sink) {
                sink.flush();
            }
        }
    }

    /**
     * Resolves and starts every sink's endpoint when the relay starts, so a wrong URI or a sink setting fails the start
     * with one clear sentence (and a sink recovers its state, e.g. the S3 spool, before the sources run).
     */
    public void checkRoutes(CamelContext context) {
        List<String> failed = new ArrayList<>();
        uris.forEach((name, uri) -> {
            try {
                ServiceHelper.startService(context.getEndpoint(uri));
            } catch (Exception e) {
                failed.add(name + " (" + e.getMessage() + ")");
            }
        });
        if (!failed.isEmpty()) {
            throw new IllegalArgumentException("relay.sinks names sinks whose endpoint cannot start: " + failed);
        }
    }

    /** The sink names of {@code relay.sinks} mapped to their {@code relay.sink.<name>.uri}; fails on a name without one. */
    public static Map<String, String> uris(io.auditrelay.settings.Settings settings) {
        Map<String, String> out = new LinkedHashMap<>();
        List<String> unknown = new ArrayList<>();
        for (String name : settings.sinks()) {
            String uri = settings.optional("relay.sink." + name + ".uri");
            if (uri == null) {
                unknown.add(name);
            } else {
                out.put(name, uri);
            }
        }
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("relay.sinks names unknown sinks " + unknown
                    + ": set relay.sink.<name>.uri to an endpoint for them (the relay's sinks are csv, ndjson, s3,"
                    + " kafka, webhook)");
        }
        return out;
    }

    /** The bean of sink {@code name} ({@code <name>Sink}) in the registry, or null. */
    public static io.auditrelay.event.EventSink sink(CamelContext context, String name) {
        return context.getRegistry().lookupByNameAndType(name + "Sink", io.auditrelay.event.EventSink.class);
    }
}
