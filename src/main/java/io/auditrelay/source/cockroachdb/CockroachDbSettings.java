package io.auditrelay.source.cockroachdb;

import io.auditrelay.config.Settings;
import org.apache.camel.util.TimeUtils;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The validated configuration of the CockroachDB Cloud source ({@code relay.source.cockroachdb.*}).
 * {@link #toString()} never shows the API key.
 */
public record CockroachDbSettings(
        String url,
        String apiKey,
        String apiVersion,
        int pageSize,
        String startFrom,
        Duration pollInterval,
        Duration backoff,
        Duration maxBackoff,
        Duration requestTimeout,
        int progressPages,
        Path stateDir) {

    public static final String PREFIX = "relay.source.cockroachdb.";
    public static final String API_KEY_ENV = "RELAY_SOURCE_COCKROACHDB_API_KEY";
    /** The largest {@code limit} the auditlogevents endpoint accepts. */
    public static final int MAX_PAGE_SIZE = 1000;

    public CockroachDbSettings {
        if (url == null || url.isBlank()) {
            throw new IllegalArgumentException(PREFIX + "url is empty: set it to the CockroachDB Cloud API address, e.g. https://cockroachlabs.cloud");
        }
        url = url.trim().replaceAll("/+$", "");
        try {
            URI uri = URI.create(url);
            if (uri.getScheme() == null || !uri.getScheme().startsWith("http") || uri.getHost() == null) {
                throw new IllegalArgumentException("not an http(s) address");
            }
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(PREFIX + "url must be an http(s) address such as https://cockroachlabs.cloud, not '" + url + "'");
        }
        if (apiKey == null || apiKey.isBlank()) {
            throw new IllegalArgumentException("The CockroachDB Cloud source is enabled but has no API key: set the environment variable "
                    + API_KEY_ENV + " (property " + PREFIX + "api-key) to a service account API key");
        }
        apiKey = apiKey.trim();
        if (apiVersion == null || apiVersion.isBlank()) {
            throw new IllegalArgumentException(PREFIX + "api-version is empty: set it to a Cloud API version such as 2024-09-16");
        }
        if (pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
            throw new IllegalArgumentException(PREFIX + "page-size must be between 1 and " + MAX_PAGE_SIZE + ", not " + pageSize);
        }
        startFrom = startFrom == null || startFrom.isBlank() ? null : startFrom.trim();
        if (startFrom != null) {
            try {
                java.time.OffsetDateTime.parse(startFrom);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException(PREFIX + "start-from must be an ISO-8601 timestamp with a zone such as 2024-01-01T00:00:00Z, not '" + startFrom + "'");
            }
        }
        requirePositive("poll-interval", pollInterval);
        requirePositive("backoff", backoff);
        requirePositive("max-backoff", maxBackoff);
        requirePositive("request-timeout", requestTimeout);
        if (maxBackoff.compareTo(backoff) < 0) {
            maxBackoff = backoff;
        }
        if (progressPages < 1) {
            progressPages = 1;
        }
    }

    /** Reads and validates {@code relay.source.cockroachdb.*}; the state directory is {@code relay.state.dir}. */
    public static CockroachDbSettings from(Settings settings) {
        return new CockroachDbSettings(
                settings.get(PREFIX + "url", "https://cockroachlabs.cloud"),
                settings.optional(PREFIX + "api-key"),
                settings.get(PREFIX + "api-version", "2024-09-16"),
                settings.integer(PREFIX + "page-size", 200),
                settings.optional(PREFIX + "start-from"),
                duration(PREFIX + "poll-interval", settings.get(PREFIX + "poll-interval", "60s")),
                duration(PREFIX + "backoff", settings.get(PREFIX + "backoff", "1s")),
                duration(PREFIX + "max-backoff", settings.get(PREFIX + "max-backoff", "5m")),
                duration(PREFIX + "request-timeout", settings.get(PREFIX + "request-timeout", "30s")),
                settings.integer(PREFIX + "progress-pages", 50),
                Path.of(settings.get("relay.state.dir", "data/state")));
    }

    /** Parses {@code 60s}, {@code 300ms}, {@code 5m}, {@code 1h} or plain milliseconds, as Camel's timer does. */
    public static Duration duration(String name, String value) {
        try {
            return Duration.ofMillis(TimeUtils.toMilliSeconds(value.trim()));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(name + " must be a duration such as 60s, 500ms or 5m, not '" + value + "'");
        }
    }

    private static void requirePositive(String name, Duration value) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(PREFIX + name + " must be a positive duration such as 60s");
        }
    }

    @Override
    public String toString() {
        return "CockroachDbSettings[url=" + url + ", apiKey=******, apiVersion=" + apiVersion + ", pageSize=" + pageSize
                + ", startFrom=" + startFrom + ", pollInterval=" + pollInterval + ", backoff=" + backoff
                + ", maxBackoff=" + maxBackoff + ", requestTimeout=" + requestTimeout + ", stateDir=" + stateDir + "]";
    }
}
