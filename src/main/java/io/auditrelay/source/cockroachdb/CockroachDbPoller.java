package io.auditrelay.source.cockroachdb;

import com.fasterxml.jackson.databind.JsonNode;
import io.auditrelay.mapper.CockroachDbMapper;
import io.auditrelay.mapper.Json;
import io.auditrelay.spine.DeadLetterStore;
import io.auditrelay.spine.Normalizer;
import io.auditrelay.spine.RelayStats;
import io.auditrelay.spine.SourceRecord;
import io.auditrelay.spine.OnceCoordinator;
import io.auditrelay.source.cockroachdb.AuditLogClient.Outcome;
import io.auditrelay.source.cockroachdb.CursorStore.Cursor;
import org.apache.camel.CamelContext;
import org.apache.camel.CamelContextAware;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Drains the CockroachDB Cloud {@code auditlogevents} API page by page from a durable cursor.
 *
 * <p>One page is: {@link #nextPage()} (fetch, retrying 429 / 5xx / timeouts, skipping the ids already
 * delivered at the inclusive boundary timestamp, widening or stepping past a page stuck on one
 * timestamp), then the returned entries are sent synchronously (as one unit to {@code direct:ingest-batch} by
 * {@link #poll()}, to {@code kamelet:sink} by the Kamelet's split), then {@link #commit()} saves the
 * cursor. A failure before commit leaves the saved cursor where it was, so the page is read again.
 *
 * <p>The route ({@code routes/source-cockroachdb.yaml}) calls {@link #poll()} from a timer; the
 * Kamelet calls {@link #beginPoll()}, {@link #hasMore()}, {@link #nextPage()} and {@link #commit()}
 * from its YAML. Both use the same methods; the API key never reaches a log line or message.
 */
public class CockroachDbPoller implements CamelContextAware {

    public static final String VENDOR = CockroachDbMapper.VENDOR;
    private static final Logger LOG = LoggerFactory.getLogger(CockroachDbPoller.class);
    private static final DateTimeFormatter MICROS = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'")
            .withZone(ZoneOffset.UTC);

    private CamelContext context;
    private CockroachDbSettings settings;
    private AuditLogClient client;
    private CursorStore cursors;
    private OnceCoordinator coordinator;
    private DeadLetterStore deadLetters;
    private ProducerTemplate template;
    private String target = "direct:ingest-batch";
    private final Clock clock = Clock.systemUTC();

    // Kamelet-style configuration (setters), turned into settings on first use
    private String url = "https://cockroachlabs.cloud";
    private String apiKey;
    private String apiVersion = "2024-09-16";
    private int pageSize = 200;
    private String startFrom;
    private String pollInterval = "60s";
    private String backoff = "1s";
    private String maxBackoff = "5m";
    private String stateDir = "data/state";

    // The drain: the committed cursor, the page being delivered, and whether there is more now
    private Cursor committed;
    private Cursor pending;
    private boolean pendingIsLast;
    private boolean more = true;
    private int limit;
    private long pages;
    private long entries;

    // Health
    private volatile String downReason;
    private volatile String lastRequest = "none yet";

    /** For the Kamelet: configured with setters. */
    public CockroachDbPoller() {
    }

    /** For the relay: configured by {@link CockroachDbConfiguration}. */
    public CockroachDbPoller(CamelContext context, CockroachDbSettings settings, OnceCoordinator coordinator,
                             DeadLetterStore deadLetters) {
        this.context = context;
        this.settings = settings;
        this.coordinator = coordinator;
        this.deadLetters = deadLetters;
    }

    // ---------------------------------------------------------------- the route's drain

    /**
     * Drains the API until a response carries no {@code next_starting_from}, sending each entry to
     * {@code direct:ingest-batch}; returns when drained, on 401/403/400 (retried at the next timer tick,
     * i.e. after the poll interval) or when the relay stops.
     */
    public synchronized void poll() {
        beginPoll();
        Duration wait = settings().backoff();
        while (hasMore() && running()) {
            List<String> page = nextPage();
            try {
                deliver(page);
                if (!running()) {
                    return; // stopping mid-page: the cursor stays, the page is read again on restart
                }
                commit();
                wait = settings().backoff();
            } catch (RuntimeException e) {
                // not accepted by the spine (e.g. the dead-letter store can't be written): keep the cursor
                pending = null;
                Duration sleep = jitter(wait);
                LOG.warn("A CockroachDB entry was not accepted by the relay ({}); the cursor stays at {}, reading the page again in {} ms",
                        e.getMessage(), cursorText(), sleep.toMillis());
                LOG.debug("Delivery failure", e);
                pause(sleep);
                wait = doubled(wait);
            }
        }
    }

    /** Delivers a page as one unit: every entry delivered (or dead-lettered) and every sink flushed, or an exception. */
    private void deliver(List<String> page) {
        List<SourceRecord> unit = new java.util.ArrayList<>(page.size());
        for (int i = 0; i < page.size(); i++) {
            unit.add(Normalizer.parse(VENDOR, page.get(i), location(i)));
        }
        Exchange exchange = template().send(target, e -> e.getMessage().setBody(unit));
        if (exchange.getException() != null) {
            Exception e = exchange.getException();
            throw new IllegalStateException(e.getClass().getSimpleName() + (e.getMessage() != null ? ": " + e.getMessage() : ""), e);
        }
    }

    // ---------------------------------------------------------------- page steps (also used by the Kamelet)

    /** Starts a poll: there may be more to read. */
    public synchronized void beginPoll() {
        more = true;
        pending = null;
        if (committed != null) {
            // after a leadership change another replica may have moved the cursor on: the saved one wins
            cursors().read().ifPresent(saved -> committed = saved);
        }
    }

    /** Whether the current poll has another page to fetch. */
    public synchronized boolean hasMore() {
        return more;
    }

    /**
     * Fetches the next page from the committed cursor, retrying rate limits and outages, and returns
     * the entries (JSON text) not yet delivered. Returns an empty list and ends the poll when the API
     * refuses the key or the request, or when the relay stops.
     */
    public synchronized List<String> nextPage() {
        CockroachDbSettings s = settings();
        Cursor cursor = committed();
        Duration wait = s.backoff();
        while (running()) {
            String from = cursor.startingFrom();
            lastRequest = AuditLogClient.describe(from, limit);
            Outcome outcome = client().fetch(from, limit);
            if (outcome instanceof Outcome.Page page) {
                up();
                List<String> fresh = new ArrayList<>();
                String lastCreatedAt = null;
                Set<String> idsAtLast = new LinkedHashSet<>();
                for (String text : page.entries()) {
                    String id = textField(text, "id");
                    String createdAt = textField(text, "created_at");
                    if (id != null && from != null && from.equals(createdAt) && cursor.deliveredIds().contains(id)) {
                        continue; // the inclusive boundary again: delivered on an earlier page
                    }
                    fresh.add(text);
                    if (createdAt != null) {
                        if (!createdAt.equals(lastCreatedAt)) {
                            idsAtLast.clear();
                        }
                        lastCreatedAt = createdAt;
                        if (id != null) {
                            idsAtLast.add(id);
                        }
                    }
                }
                String next = page.nextStartingFrom();
                if (next != null && next.equals(from) && fresh.isEmpty()) {
                    // Every entry on the page shares the cursor's timestamp and was delivered already.
                    if (limit < CockroachDbSettings.MAX_PAGE_SIZE) {
                        int wider = Math.min(CockroachDbSettings.MAX_PAGE_SIZE, limit * 2);
                        LOG.info("CockroachDB page stuck at {}: more than {} entries share that timestamp; widening the page to {}",
                                from, limit, wider);
                        limit = wider;
                        continue;
                    }
                    String stepped = plusOneMicrosecond(from);
                    LOG.warn("CockroachDB Cloud returned {} entries all created at {} and next_starting_from={} again, even at the "
                                    + "maximum page size {}: the API cannot page within one timestamp. Stepping the cursor to {} "
                                    + "(one microsecond later). The {} entries seen at {} were delivered; entries created at exactly {} "
                                    + "beyond those {} may have been skipped (the API does not say how many: at least 0).",
                            page.entries().size(), from, next, limit, stepped, cursor.deliveredIds().size(), from, from,
                            cursor.deliveredIds().size());
                    cursor = new Cursor(stepped, Set.of());
                    save(cursor);
                    limit = s.pageSize();
                    continue;
                }
                pendingIsLast = next == null;
                if (next == null) {
                    // the end for now: resume from the last entry's timestamp (inclusive), remembering its ids
                    pending = lastCreatedAt == null ? cursor : merge(cursor, lastCreatedAt, idsAtLast);
                } else if (next.equals(lastCreatedAt)) {
                    pending = merge(cursor, next, idsAtLast);
                } else {
                    pending = new Cursor(next, Set.of());
                }
                return fresh;
            }
            else if (outcome instanceof Outcome.RateLimited limited) {
                Duration sleep = limited.retryAfter() != null ? limited.retryAfter() : jitter(wait);
                LOG.info("CockroachDB Cloud rate limit (429): waiting {} ms{} before asking again", sleep.toMillis(),
                        limited.retryAfter() != null ? " as Retry-After says" : " (no usable Retry-After)");
                pause(sleep);
                if (limited.retryAfter() == null) {
                    wait = doubled(wait);
                }
            }
            else if (outcome instanceof Outcome.Unavailable unavailable) {
                Duration sleep = jitter(wait);
                LOG.warn("CockroachDB Cloud unavailable ({}); retrying {} in {} ms", unavailable.reason(), lastRequest, sleep.toMillis());
                pause(sleep);
                wait = doubled(wait);
            }
            else if (outcome instanceof Outcome.Unreadable unreadable) {
                if (deadLetters != null) {
                    deadLetters.recordUnreadable(VENDOR, lastRequest, unreadable.reason());
                } else {
                    LOG.warn("Unreadable CockroachDB response to {}: {}", lastRequest, unreadable.reason());
                }
                Duration sleep = jitter(wait);
                pause(sleep);
                wait = doubled(wait);
            }
            else if (outcome instanceof Outcome.Rejected rejected) {
                down(rejected.reason() + ": check the service account key in " + CockroachDbSettings.API_KEY_ENV
                        + "; retrying every " + s.pollInterval().toMillis() + " ms");
                more = false;
                return List.of();
            }
            else if (outcome instanceof Outcome.BadRequest bad) {
                down("CockroachDB Cloud refused the request " + lastRequest + " (" + bad.status() + "): " + bad.body());
                more = false;
                return List.of();
            }
        }
        more = false;
        return List.of();
    }

    /** Saves the cursor of the page just delivered; after the last page the poll ends (and a once run is told). */
    public synchronized void commit() {
        if (pending == null) {
            return;
        }
        Cursor before = committed();
        if (!pending.equals(before)) {
            save(pending);
        }
        pages++;
        if (pending.startingFrom() != null && !pending.startingFrom().equals(before.startingFrom())) {
            limit = settings().pageSize();
        }
        if (pages % settings().progressPages() == 0) {
            LOG.info("CockroachDB drain: {} pages read, cursor at {}", pages, pending.startingFrom());
        }
        pending = null;
        if (pendingIsLast) {
            more = false;
            LOG.debug("CockroachDB drained up to {}", committed.startingFrom());
            if (coordinator != null) {
                coordinator.drained(VENDOR);
            }
        }
    }

    /** Where the current page's i-th entry came from, for dead letters. */
    public String location(int index) {
        return lastRequest + " entry " + index;
    }

    // ---------------------------------------------------------------- health

    public boolean isUp() {
        return downReason == null;
    }

    /** Why the source is down, or a short status when up. Never holds the key. */
    public String reason() {
        String reason = downReason;
        return reason != null ? reason : "ok, last request " + lastRequest;
    }

    private void up() {
        if (downReason != null) {
            LOG.info("CockroachDB Cloud accepts the requests again");
        }
        downReason = null;
    }

    private void down(String reason) {
        if (!reason.equals(downReason)) {
            LOG.error(reason); // once per distinct cause, not on every retry
        }
        downReason = reason;
        if (coordinator != null) {
            coordinator.failed(VENDOR, reason);
        }
    }

    // ---------------------------------------------------------------- helpers

    private Cursor committed() {
        if (committed == null) {
            committed = cursors().read().orElse(new Cursor(settings().startFrom(), Set.of()));
            limit = settings().pageSize();
            LOG.info("CockroachDB Cloud source starts at {}", committed.startingFrom() == null
                    ? "the organization's first event" : "starting_from=" + committed.startingFrom());
        }
        return committed;
    }

    private void save(Cursor cursor) {
        cursors().save(cursor);
        committed = cursor;
        if (cursor.startingFrom() != null && context != null) {
            RelayStats stats = context.getRegistry().lookupByNameAndType("relayStats", RelayStats.class);
            if (stats != null) {
                stats.cursor(VENDOR, java.time.Instant.parse(cursor.startingFrom()));
            }
        }
    }

    private String cursorText() {
        return committed == null || committed.startingFrom() == null ? "the beginning" : committed.startingFrom();
    }

    private static Cursor merge(Cursor cursor, String at, Set<String> ids) {
        Set<String> all = new LinkedHashSet<>();
        if (at.equals(cursor.startingFrom())) {
            all.addAll(cursor.deliveredIds());
        }
        all.addAll(ids);
        return new Cursor(at, all);
    }

    /** The timestamp one microsecond later, written with six fraction digits (the API's precision). */
    static String plusOneMicrosecond(String timestamp) {
        Instant instant = java.time.OffsetDateTime.parse(timestamp).toInstant().plusNanos(1_000);
        return MICROS.format(instant);
    }

    private static String textField(String json, String field) {
        try {
            JsonNode node = Json.MAPPER.readTree(json);
            JsonNode value = node == null ? null : node.get(field);
            return value == null || !value.isTextual() || value.asText().isBlank() ? null : value.asText();
        } catch (Exception e) {
            return null;
        }
    }

    private Duration jitter(Duration base) {
        long ms = Math.max(1, base.toMillis());
        return Duration.ofMillis(ms / 2 + ThreadLocalRandom.current().nextLong(ms / 2 + 1));
    }

    private Duration doubled(Duration wait) {
        Duration twice = wait.multipliedBy(2);
        return twice.compareTo(settings().maxBackoff()) > 0 ? settings().maxBackoff() : twice;
    }

    private boolean running() {
        return context == null || !(context.isStopping() || context.isStopped());
    }

    /** Sleeps in short slices so a stopping relay is not held up. */
    private void pause(Duration duration) {
        long end = System.nanoTime() + duration.toNanos();
        while (running()) {
            long left = end - System.nanoTime();
            if (left <= 0) {
                return;
            }
            try {
                Thread.sleep(Math.min(100, Math.max(1, left / 1_000_000)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private synchronized CockroachDbSettings settings() {
        if (settings == null) {
            settings = new CockroachDbSettings(url, apiKey, apiVersion, pageSize, startFrom,
                    CockroachDbSettings.duration("pollInterval", pollInterval),
                    CockroachDbSettings.duration("backoff", backoff),
                    CockroachDbSettings.duration("maxBackoff", maxBackoff),
                    Duration.ofSeconds(30), 50, Path.of(stateDir));
        }
        return settings;
    }

    private synchronized AuditLogClient client() {
        if (client == null) {
            client = new AuditLogClient(settings(), clock);
        }
        return client;
    }

    private synchronized CursorStore cursors() {
        if (cursors == null) {
            cursors = new CursorStore(settings().stateDir());
        }
        return cursors;
    }

    private synchronized ProducerTemplate template() {
        if (template == null) {
            template = context.createProducerTemplate();
        }
        return template;
    }

    // ---------------------------------------------------------------- Kamelet properties

    @Override
    public CamelContext getCamelContext() {
        return context;
    }

    @Override
    public void setCamelContext(CamelContext context) {
        this.context = context;
    }

    public void setUrl(String url) {
        this.url = url;
    }

    public void setApiKey(String apiKey) {
        this.apiKey = apiKey;
    }

    public void setApiVersion(String apiVersion) {
        this.apiVersion = apiVersion;
    }

    public void setPageSize(int pageSize) {
        this.pageSize = pageSize;
    }

    public void setStartFrom(String startFrom) {
        this.startFrom = startFrom;
    }

    public void setPollInterval(String pollInterval) {
        this.pollInterval = pollInterval;
    }

    public void setBackoff(String backoff) {
        this.backoff = backoff;
    }

    public void setMaxBackoff(String maxBackoff) {
        this.maxBackoff = maxBackoff;
    }

    public void setStateDir(String stateDir) {
        this.stateDir = stateDir;
    }

    @Override
    public String toString() {
        return "CockroachDbPoller[" + (settings != null ? settings : "url=" + url) + "]";
    }
}
