package io.auditrelay.source.cockroachdb;

import io.auditrelay.retry.RetryAfter;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;

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

    /**
     * Skims a page without building it: no bound on nesting or string length, so one hostile entry (a 100,000-deep
     * array, a huge string) is cut out as text and dead-lettered on its own, instead of making the whole page
     * unreadable (and the cursor stuck on it).
     */
    private static final JsonFactory SKIM = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(Integer.MAX_VALUE)
                    .maxStringLength(Integer.MAX_VALUE).build())
            .build();

    /**
     * Reads a 2xx body: {@code {"entries": [...], "next_starting_from": "..."}}. Each entry is taken as its text, found
     * by the streaming parser, and parsed later on its own (within the input limits), so the entries before and after
     * a bad one are delivered.
     */
    static Outcome parsePage(String body) {
        List<String> texts = new ArrayList<>();
        String nextValue = null;
        try (JsonParser parser = SKIM.createParser(body)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return new Outcome.Unreadable("response body is not a JSON object; body starts: " + abbreviate(body));
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                JsonToken value = parser.nextToken();
                if ("entries".equals(name) && value != JsonToken.VALUE_NULL) {
                    if (value != JsonToken.START_ARRAY) {
                        return new Outcome.Unreadable("response field 'entries' is not an array");
                    }
                    while (parser.nextToken() != JsonToken.END_ARRAY) {
                        int from = (int) parser.currentTokenLocation().getCharOffset();
                        parser.skipChildren();
                        texts.add(body.substring(from, (int) parser.currentLocation().getCharOffset()));
                    }
                } else if ("next_starting_from".equals(name) && value.isScalarValue() && value != JsonToken.VALUE_NULL) {
                    String next = parser.getValueAsString();
                    nextValue = next == null || next.isBlank() ? null : next;
                } else {
                    parser.skipChildren();
                }
            }
        } catch (IOException e) {
            String reason = e instanceof JsonProcessingException json ? json.getOriginalMessage() : e.getMessage();
            return new Outcome.Unreadable("response body is not JSON: " + reason + "; body starts: " + abbreviate(body));
        }
        return new Outcome.Page(texts, nextValue);
    }

    static String abbreviate(String body) {
        String flat = body.replaceAll("\\s+", " ").trim();
        return flat.length() <= 500 ? flat : flat.substring(0, 500) + "...";
    }
}
