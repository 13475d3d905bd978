package io.auditrelay.source.cockroachdb;


import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The validated options of an {@code audit-cockroachdb:} endpoint (in the jar: {@code relay.source.cockroachdb.*}).
 * Messages name both the endpoint option and the relay property. {@link #toString()} never shows the API key.
 */
public record CockroachDbSettings(
        String url,
        String apiKey,
        String apiVersion,
        int pageSize,
        String startFrom,
        String until,
        SortOrder sortOrder,
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

    /** The API's {@code sort_order}: ASC reads forward from start-from, DESC backward from until. */
    public enum SortOrder { ASC, DESC }

    public CockroachDbSettings {
        if (url == null || url.isBlank()) {
            throw new IllegalArgumentException("url (" + PREFIX + "url) is empty: set it to the CockroachDB Cloud API address, e.g. https://cockroachlabs.cloud");
        }
        url = url.trim().replaceAll("/+$", "");
        try {
            URI uri = URI.create(url);
            if (uri.getScheme() == null || !uri.getScheme().startsWith("http") || uri.getHost() == null) {
                throw new IllegalArgumentException("not an http(s) address");
            }
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("url (" + PREFIX + "url) must be an http(s) address such as https://cockroachlabs.cloud, not '" + url + "'");
        }
        if (apiKey == null || apiKey.isBlank()) {
            throw new IllegalArgumentException("The CockroachDB Cloud source is enabled but has no API key: set the environment variable "
                    + API_KEY_ENV + " (property " + PREFIX + "api-key, endpoint option apiKey) to a service account API key");
        }
        apiKey = apiKey.trim();
        if (apiVersion == null || apiVersion.isBlank()) {
            throw new IllegalArgumentException("apiVersion (" + PREFIX + "api-version) is empty: set it to a Cloud API version such as 2024-09-16");
        }
        if (pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
            throw new IllegalArgumentException("pageSize (" + PREFIX + "page-size) must be between 1 and " + MAX_PAGE_SIZE + ", not " + pageSize);
        }
        startFrom = startFrom == null || startFrom.isBlank() ? null : startFrom.trim();
        if (startFrom != null) {
            try {
                java.time.OffsetDateTime.parse(startFrom);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("startFrom (" + PREFIX + "start-from) must be an ISO-8601 timestamp with a zone such as 2024-01-01T00:00:00Z, not '" + startFrom + "'");
            }
        }
        until = until == null || until.isBlank() ? null : until.trim();
        if (until != null) {
            try {
                java.time.OffsetDateTime.parse(until);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("until (" + PREFIX + "until) must be an ISO-8601 timestamp with a zone such as 2024-02-01T00:00:00Z, not '" + until + "'");
            }
            if (startFrom != null && !CursorTime.of(startFrom).isBefore(CursorTime.of(until))) {
                throw new IllegalArgumentException("until (" + PREFIX + "until) " + until + " must be later than startFrom ("
                        + PREFIX + "start-from) " + startFrom + ": the window [start-from, until) would be empty");
            }
        }
        sortOrder = sortOrder == null ? SortOrder.ASC : sortOrder;
        if (sortOrder == SortOrder.DESC && until == null) {
            throw new IllegalArgumentException("sortOrder (" + PREFIX + "sort-order) DESC reads a closed window backward from until: set until ("
                    + PREFIX + "until) too; a live source that follows new events reads ASC");
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

    /** Whether the source reads a closed window (until set) that is complete once read, rather than following new events. */
    public boolean window() {
        return until != null;
    }

    private static void requirePositive(String name, Duration value) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(PREFIX + name + " must be a positive duration such as 60s");
        }
    }

    @Override
    public String toString() {
        return "CockroachDbSettings[url=" + url + ", apiKey=******, apiVersion=" + apiVersion + ", pageSize=" + pageSize
                + ", startFrom=" + startFrom + ", until=" + until + ", sortOrder=" + sortOrder + ", pollInterval=" + pollInterval + ", backoff=" + backoff
                + ", maxBackoff=" + maxBackoff + ", requestTimeout=" + requestTimeout + ", stateDir=" + stateDir + "]";
    }
}
