package io.auditrelay.source.cockroachdb;

import io.auditrelay.retry.RetryAfter;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.auditrelay.mapper.Json;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * One request to {@code GET /api/v1/auditlogevents}, its answer mapped to an {@link Outcome}.
 *
 * <p>Why java.net.http and not camel-http in a loop: the drain needs the page's cursor
 * ({@code next_starting_from}, inclusive), the stuck-page detection, Retry-After in both forms and
 * a cursor saved only after every entry was accepted; expressing that with a loop EIP, camel-http's
 * throwExceptionOnFailure and redelivery would spread one state machine over headers and YAML.
 * The key is only ever put in the Authorization header; no message built here contains it.
 */
public class AuditLogClient {

    public static final String PATH = "/api/v1/auditlogevents";

    /** What one request came back with. */
    public sealed interface Outcome {
        /** A JSON page: the entries as JSON text, and the cursor for the next page (null on the last page). */
        record Page(List<String> entries, String nextStartingFrom) implements Outcome { }
        /** 429: wait {@code retryAfter} (null: the header was missing or unreadable) and ask again. */
        record RateLimited(Duration retryAfter) implements Outcome { }
        /** 5xx, a timeout, a refused connection...: back off and ask again. */
        record Unavailable(String reason) implements Outcome { }
        /** A 2xx answer that is not a JSON page. */
        record Unreadable(String reason) implements Outcome { }
        /** 401/403: the API key was refused. */
        record Rejected(int status, String reason) implements Outcome { }
        /** Any other 4xx: the request is wrong; the body says why. */
        record BadRequest(int status, String body) implements Outcome { }
    }

    private final CockroachDbSettings settings;
    private final HttpClient http;
    private final Clock clock;

    public AuditLogClient(CockroachDbSettings settings, Clock clock) {
        this.settings = settings;
        this.clock = clock;
        this.http = HttpClient.newBuilder()
                .connectTimeout(settings.requestTimeout())
                .followRedirects(HttpClient.Redirect.NORMAL)
                .build();
    }

    /** The request line, for logs and dead letters (it holds no credentials). */
    public static String describe(String startingFrom, int limit, CockroachDbSettings.SortOrder order) {
        return "GET " + PATH + "?" + query(startingFrom, limit, order);
    }

    static String query(String startingFrom, int limit, CockroachDbSettings.SortOrder order) {
        StringBuilder query = new StringBuilder("sort_order=").append(order.name()).append("&limit=").append(limit);
        if (startingFrom != null) {
            query.append("&starting_from=").append(URLEncoder.encode(startingFrom, StandardCharsets.UTF_8));
        }
        return query.toString();
    }

    public HttpRequest request(String startingFrom, int limit) {
        return HttpRequest.newBuilder(URI.create(settings.url() + PATH + "?" + query(startingFrom, limit, settings.sortOrder())))
                .timeout(settings.requestTimeout())
                .header("Authorization", "Bearer " + settings.apiKey())
                .header("Cc-Version", settings.apiVersion())
                .header("Accept", "application/json")
                .GET()
                .build();
    }

    public Outcome fetch(String startingFrom, int limit) {
        HttpResponse<String> response;
        try {
            response = http.send(request(startingFrom, limit), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Outcome.Unavailable("interrupted");
        } catch (IOException e) {
            // e.g. HttpConnectTimeoutException, ConnectException (refused); messages name the host, never headers
            return new Outcome.Unavailable(e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()));
        }
        int status = response.statusCode();
        String body = response.body() == null ? "" : response.body();
        if (status == 401 || status == 403) {
            return new Outcome.Rejected(status, "CockroachDB Cloud rejected the API key (" + status + ")");
        }
        if (status == 429) {
            return new Outcome.RateLimited(
                    RetryAfter.parse(response.headers().firstValue("Retry-After").orElse(null), clock.instant()).orElse(null));
        }
        if (status >= 500) {
            return new Outcome.Unavailable("HTTP " + status + (body.isBlank() ? "" : ": " + abbreviate(body)));
        }
        if (status < 200 || status >= 300) {
            return new Outcome.BadRequest(status, abbreviate(body));
        }
        return parsePage(body);
    }

    /** Reads a 2xx body: {@code {"entries": [...], "next_starting_from": "..."}}. */
    static Outcome parsePage(String body) {
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            return new Outcome.Unreadable("response body is not JSON: " + e.getOriginalMessage() + "; body starts: " + abbreviate(body));
        }
        if (root == null || !root.isObject()) {
            return new Outcome.Unreadable("response body is not a JSON object; body starts: " + abbreviate(body));
        }
        JsonNode entries = root.get("entries");
        if (entries != null && !entries.isNull() && !entries.isArray()) {
            return new Outcome.Unreadable("response field 'entries' is not an array");
        }
        List<String> texts = new ArrayList<>();
        if (entries != null && entries.isArray()) {
            for (JsonNode entry : entries) {
                try {
                    texts.add(Json.MAPPER.writeValueAsString(entry));
                } catch (JsonProcessingException e) {
                    texts.add(entry.toString());
                }
            }
        }
        JsonNode next = root.get("next_starting_from");
        String nextValue = next == null || next.isNull() || next.asText().isBlank() ? null : next.asText();
        return new Outcome.Page(texts, nextValue);
    }

    static String abbreviate(String body) {
        String flat = body.replaceAll("\\s+", " ").trim();
        return flat.length() <= 500 ? flat : flat.substring(0, 500) + "...";
    }
}
