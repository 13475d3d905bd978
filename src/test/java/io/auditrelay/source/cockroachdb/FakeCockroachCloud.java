package io.auditrelay.source.cockroachdb;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.auditrelay.mapper.Json;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A stand-in for {@code GET /api/v1/auditlogevents} following the documented semantics: entries sorted
 * by created_at, {@code starting_from} inclusive, up to {@code limit} (default 200, at most 1000)
 * entries with created_at >= starting_from ({@code sort_order=ASC}, the default) or <= starting_from newest first
 * ({@code sort_order=DESC}, no starting_from: from the newest), {@code next_starting_from} = created_at of the last
 * entry on the page, absent when the page reaches the end of the data; the boundary entries come again with
 * the same id. Timestamps are compared as instants and written as the API's proto3 JSON does: UTC with 0, 3, 6 or 9
 * fraction digits ({@code 10:00:00Z}, {@code 10:00:00.500Z}, {@code 10:00:00.500001Z}, {@code 10:00:00.500000001Z}),
 * whatever form they were added in. Checks {@code Authorization: Bearer <key>} (401) and {@code Cc-Version} (400).
 * Can be told to answer once with a 429, a 503 or a non-JSON body; entries can be added at any time.
 */
public final class FakeCockroachCloud implements AutoCloseable {

    public static final String KEY = "crdb-test-key-3f9a1c7e5b2d";
    static final String VERSION = "2024-09-16";

    /** One request as the stand-in saw it. */
    public record Request(long nanos, String startingFrom, int limit, int status, String sortOrder) { }

    private record Entry(Instant at, ObjectNode json) { }

    private final HttpServer server;
    private final List<Entry> entries = new ArrayList<>();
    private final Deque<String> faults = new ArrayDeque<>();
    private final List<Request> requests = new ArrayList<>();
    private volatile String acceptedKey = KEY;
    private volatile java.time.Duration delay = java.time.Duration.ZERO;
    private volatile boolean nineDigitNext;

    public FakeCockroachCloud() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/api/v1/auditlogevents", this::handle);
        server.start();
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Adds an entry with this id and created_at. */
    public synchronized FakeCockroachCloud add(String id, String createdAt) {
        ObjectNode entry = Json.MAPPER.createObjectNode();
        entry.put("id", id);
        entry.put("action", "AUDIT_LOG_ACTION_CREATE_CLUSTER");
        entry.put("user_email", "ops@example.com");
        entry.put("cluster_id", "dc6360d2-b21c-451f-aa9f-b20ad6906475");
        entry.put("cluster_name", "example-cluster");
        entry.put("error", "");
        entry.put("created_at", proto3(Instant.parse(createdAt)));
        return addRaw(createdAt, entry);
    }

    /** Adds an entry as given (it may lack id or created_at), placed at {@code sortKey}. */
    public synchronized FakeCockroachCloud addRaw(String sortKey, ObjectNode entry) {
        entries.add(new Entry(Instant.parse(sortKey), entry));
        entries.sort(Comparator.comparing(Entry::at)); // stable: equal timestamps keep insertion order
        return this;
    }

    /** The next request is answered with 429 and {@code Retry-After: retryAfter} (null: no header). */
    synchronized void rateLimitOnce(String retryAfter) {
        faults.add("429:" + (retryAfter == null ? "" : retryAfter));
    }

    synchronized void unavailableOnce() {
        faults.add("503");
    }

    synchronized void notJsonOnce() {
        faults.add("html");
    }

    /** Every answer waits this long first (a slow API, so that a test can stop a reader between pages). */
    public void delay(java.time.Duration delay) {
        this.delay = delay;
    }

    /** next_starting_from always with nine fraction digits (also proto3), so it differs in text from created_at. */
    public void nextWithNineDigits(boolean nine) {
        this.nineDigitNext = nine;
    }

    void acceptKey(String key) {
        acceptedKey = key;
    }

    public synchronized List<Request> requests() {
        return List.copyOf(requests);
    }

    private void handle(HttpExchange exchange) throws IOException {
        if (!delay.isZero()) {
            try {
                Thread.sleep(delay.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try (exchange) {
            Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
            String from = query.get("starting_from");
            int limit = Math.min(1000, Integer.parseInt(query.getOrDefault("limit", "200")));
            String auth = exchange.getRequestHeaders().getFirst("Authorization");
            if (!("Bearer " + acceptedKey).equals(auth)) {
                respond(exchange, from, limit, 401, "{\"code\":16,\"message\":\"unauthenticated\"}", null);
                return;
            }
            if (!VERSION.equals(exchange.getRequestHeaders().getFirst("Cc-Version"))) {
                respond(exchange, from, limit, 400, "{\"code\":3,\"message\":\"invalid Cc-Version\"}", null);
                return;
            }
            String order = query.getOrDefault("sort_order", "ASC");
            if (!"ASC".equals(order) && !"DESC".equals(order)) {
                respond(exchange, from, limit, 400, "{\"code\":3,\"message\":\"invalid sort_order\"}", null);
                return;
            }
            boolean descending = "DESC".equals(order);
            Instant fromAt;
            try {
                fromAt = from == null ? null : Instant.parse(from);
            } catch (RuntimeException e) {
                respond(exchange, from, limit, 400, "{\"code\":3,\"message\":\"invalid starting_from\"}", null);
                return;
            }
            String fault;
            synchronized (this) {
                fault = faults.poll();
            }
            if (fault != null && fault.startsWith("429:")) {
                String retryAfter = fault.substring(4);
                respond(exchange, from, limit, 429, "{\"message\":\"too many requests\"}", retryAfter.isEmpty() ? null : retryAfter);
                return;
            }
            if ("503".equals(fault)) {
                respond(exchange, from, limit, 503, "upstream unavailable", null);
                return;
            }
            String body;
            synchronized (this) {
                if ("html".equals(fault)) {
                    body = "<html><body>Bad gateway</body></html>";
                } else {
                    List<Entry> matching = new ArrayList<>(entries.stream()
                            .filter(e -> fromAt == null || (descending ? !e.at().isAfter(fromAt) : !e.at().isBefore(fromAt))).toList());
                    if (descending) {
                        java.util.Collections.reverse(matching); // newest first; equal timestamps in reverse insertion order
                    }
                    List<Entry> page = matching.subList(0, Math.min(limit, matching.size()));
                    ObjectNode root = Json.MAPPER.createObjectNode();
                    ArrayNode array = root.putArray("entries");
                    page.forEach(e -> array.add(e.json()));
                    if (page.size() < matching.size()) {
                        Instant next = page.get(page.size() - 1).at();
                        root.put("next_starting_from", nineDigitNext
                                ? java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSSSS'Z'")
                                        .withZone(java.time.ZoneOffset.UTC).format(next)
                                : proto3(next));
                    }
                    body = Json.MAPPER.writeValueAsString(root);
                }
            }
            respond(exchange, from, limit, 200, body, null);
        }
    }

    private void respond(HttpExchange exchange, String from, int limit, int status, String body, String retryAfter) throws IOException {
        synchronized (this) {
            requests.add(new Request(System.nanoTime(), from, limit, status,
                    query(exchange.getRequestURI().getRawQuery()).getOrDefault("sort_order", "ASC")));
        }
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", status == 200 && body.startsWith("<") ? "text/html" : "application/json");
        if (retryAfter != null) {
            exchange.getResponseHeaders().set("Retry-After", retryAfter);
        }
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** The instant as proto3 JSON writes a Timestamp: UTC, 0, 3, 6 or 9 fraction digits. */
    static String proto3(Instant at) {
        return java.time.format.DateTimeFormatter.ISO_INSTANT.format(at);
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> out = new HashMap<>();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    out.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
        }
        return out;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
