package io.auditrelay.source.cockroachdb;

import io.auditrelay.retry.Backoff;
import com.fasterxml.jackson.databind.JsonNode;
import io.auditrelay.mapper.CockroachDbMapper;
import io.auditrelay.mapper.Json;
import io.auditrelay.source.cockroachdb.AuditLogClient.Outcome;
import io.auditrelay.source.cockroachdb.CursorStore.Cursor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * The page state of a CockroachDB Cloud {@code auditlogevents} drain from a durable cursor, used by
 * {@link CockroachDbConsumer} (one exchange per page).
 *
 * <p>One page is: {@link #nextPage()} (fetch, retrying 429 / 5xx / timeouts, skipping the ids already delivered at the
 * inclusive boundary timestamp, widening or stepping past a page stuck on one timestamp), then the page's entries are
 * delivered, then {@link #commit(Page)} saves the cursor the page leads to. Until then the saved cursor stays where it
 * was, so a page that was not delivered is read again. The API key never reaches a log line or a reason.
 */
public class CockroachDbPoller {

    public static final String VENDOR = CockroachDbMapper.VENDOR;
    private static final Logger LOG = LoggerFactory.getLogger(CockroachDbPoller.class);
    private static final DateTimeFormatter MICROS = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'")
            .withZone(ZoneOffset.UTC);

    /** What the poller tells the relay: each can do nothing (a Kamelet Pipe has no relay around it). */
    public interface Listener {
        /** Everything there is now was delivered. */
        default void drained() {
        }

        /** The API refuses the key or the request: the source can't go on without help. */
        default void failed(String reason) {
        }

        /** A 2xx answer that is not a page (it is asked again after a backoff). */
        default void unreadable(String request, String reason) {
            LOG.warn("Unreadable CockroachDB response to {}: {}", request, reason);
        }

        /** The cursor was saved at this time. */
        default void cursorSaved(Instant at) {
        }
    }

    /**
     * A page to deliver: its entries (JSON text) not delivered yet, the request that read it, the cursor to save once
     * they were delivered, and whether it is the last page for now.
     */
    public record Page(List<String> entries, String request, Cursor cursor, boolean last) {
        /** Where the page's i-th entry came from, for dead letters. */
        public String location(int index) {
            return request + " entry " + index;
        }
    }

    private final CockroachDbSettings settings;
    private final AuditLogClient client;
    private final CursorStore cursors;
    private final BooleanSupplier running;
    private final Listener listener;
    private final Clock clock = Clock.systemUTC();

    private Cursor committed;
    private boolean more = true;
    private int limit;
    private long pages;

    private volatile String downReason;
    private volatile String lastRequest = "none yet";

    public CockroachDbPoller(CockroachDbSettings settings, AuditLogClient client, CursorStore cursors,
                             BooleanSupplier running, Listener listener) {
        this.settings = settings;
        this.client = client;
        this.cursors = cursors;
        this.running = running;
        this.listener = listener;
    }

    /** Starts a drain: there may be more to read. */
    public synchronized void beginPoll() {
        more = true;
        if (committed != null) {
            // after a leadership change another replica may have moved the cursor on: the saved one wins
            cursors.read().ifPresent(saved -> committed = saved);
        }
        if (committed().complete()) {
            // a window (until set) read to its end: nothing left to ask the API for
            more = false;
            listener.drained();
        }
    }

    /** Whether the current drain has another page to fetch. */
    public synchronized boolean hasMore() {
        return more;
    }

    /**
     * Fetches the next page from the saved cursor, retrying rate limits and outages. Returns null and ends the drain
     * when the API refuses the key or the request, or when the source stops.
     */
    public synchronized Page nextPage() {
        Cursor cursor = committed();
        Duration wait = settings.backoff();
        boolean descending = settings.sortOrder() == CockroachDbSettings.SortOrder.DESC;
        Instant lower = settings.window() && settings.startFrom() != null ? CursorTime.of(settings.startFrom()) : null;
        Instant upper = settings.window() ? CursorTime.of(settings.until()) : null;
        while (running.getAsBoolean()) {
            String from = cursor.startingFrom();
            Instant fromAt = CursorTime.orNull(from);
            lastRequest = AuditLogClient.describe(from, limit, settings.sortOrder());
            Outcome outcome = client.fetch(from, limit);
            if (outcome instanceof Outcome.Page page) {
                up();
                List<String> fresh = new ArrayList<>();
                Instant lastAt = null;
                String lastCreatedAt = null;
                boolean beyond = false; // an entry past the window's far end: nothing after it belongs to the window
                Set<String> idsAtLast = new LinkedHashSet<>();
                for (String text : page.entries()) {
                    String id = textField(text, "id");
                    String createdAt = textField(text, "created_at");
                    Instant at = CursorTime.orNull(createdAt);
                    if (at != null && upper != null && !at.isBefore(upper)) {
                        if (!descending) {
                            beyond = true;
                        }
                        continue; // until is exclusive (read backward, the first entries may sit exactly on it)
                    }
                    if (at != null && descending && lower != null && at.isBefore(lower)) {
                        beyond = true;
                        continue;
                    }
                    if (id != null && at != null && at.equals(fromAt) && cursor.deliveredIds().contains(id)) {
                        continue; // the inclusive boundary again: delivered on an earlier page
                    }
                    fresh.add(text);
                    if (at != null) {
                        if (!at.equals(lastAt)) {
                            idsAtLast.clear();
                        }
                        lastAt = at;
                        lastCreatedAt = createdAt;
                        if (id != null) {
                            idsAtLast.add(id);
                        }
                    }
                }
                String next = page.nextStartingFrom();
                Instant nextAt = CursorTime.orNull(next);
                if (!beyond && nextAt != null && nextAt.equals(fromAt) && fresh.isEmpty()) {
                    // Every entry on the page shares the cursor's timestamp and was delivered already.
                    if (limit < CockroachDbSettings.MAX_PAGE_SIZE) {
                        int wider = Math.min(CockroachDbSettings.MAX_PAGE_SIZE, limit * 2);
                        LOG.info("CockroachDB page stuck at {}: more than {} entries share that timestamp; widening the page to {}",
                                from, limit, wider);
                        limit = wider;
                        continue;
                    }
                    String stepped = descending ? minusOneMicrosecond(from) : plusOneMicrosecond(from);
                    LOG.warn("CockroachDB Cloud returned {} entries all created at {} and next_starting_from={} again, even at the "
                                    + "maximum page size {}: the API cannot page within one timestamp. Stepping the cursor to {} "
                                    + "(one microsecond {}). The {} entries seen at {} were delivered; entries created at exactly {} "
                                    + "beyond those {} may have been skipped (the API does not say how many: at least 0).",
                            page.entries().size(), from, next, limit, stepped, descending ? "earlier" : "later",
                            cursor.deliveredIds().size(), from, from, cursor.deliveredIds().size());
                    cursor = new Cursor(stepped, Set.of());
                    save(cursor);
                    limit = settings.pageSize();
                    continue;
                }
                if (!beyond && nextAt != null && upper != null && !descending && !nextAt.isBefore(upper)) {
                    beyond = true; // the next page starts at or after until
                }
                if (!beyond && nextAt != null && lower != null && descending && nextAt.isBefore(lower)) {
                    beyond = true; // the next page starts before start-from
                }
                Cursor after;
                if (next == null || beyond) {
                    // the end for now: resume from the last entry's timestamp (inclusive), remembering its ids
                    after = lastCreatedAt == null ? cursor : merge(cursor, lastCreatedAt, idsAtLast);
                } else if (nextAt != null && nextAt.equals(lastAt)) {
                    after = merge(cursor, next, idsAtLast);
                } else {
                    after = new Cursor(next, Set.of());
                }
                boolean last = next == null || beyond;
                if (last && settings.window() && (beyond || descending || !upper.isAfter(clock.instant()))) {
                    after = after.completed(); // the window was read to its end: nothing in it is left to ask for
                }
                return new Page(List.copyOf(fresh), lastRequest, after, last);
            }
            else if (outcome instanceof Outcome.RateLimited limited) {
                Duration sleep = limited.retryAfter() != null ? limited.retryAfter() : Backoff.jitter(wait);
                LOG.info("CockroachDB Cloud rate limit (429): waiting {} ms{} before asking again", sleep.toMillis(),
                        limited.retryAfter() != null ? " as Retry-After says" : " (no usable Retry-After)");
                pause(sleep);
                if (limited.retryAfter() == null) {
                    wait = doubled(wait);
                }
            }
            else if (outcome instanceof Outcome.Unavailable unavailable) {
                Duration sleep = Backoff.jitter(wait);
                LOG.warn("CockroachDB Cloud unavailable ({}); retrying {} in {} ms", unavailable.reason(), lastRequest, sleep.toMillis());
                pause(sleep);
                wait = doubled(wait);
            }
            else if (outcome instanceof Outcome.Unreadable unreadable) {
                listener.unreadable(lastRequest, unreadable.reason());
                pause(Backoff.jitter(wait));
                wait = doubled(wait);
            }
            else if (outcome instanceof Outcome.Rejected rejected) {
                down(rejected.reason() + ": check the service account key in " + CockroachDbSettings.API_KEY_ENV
                        + "; retrying every " + settings.pollInterval().toMillis() + " ms");
                more = false;
                return null;
            }
            else if (outcome instanceof Outcome.BadRequest bad) {
                down("CockroachDB Cloud refused the request " + lastRequest + " (" + bad.status() + "): " + bad.body());
                more = false;
                return null;
            }
        }
        more = false;
        return null;
    }

    /**
     * Saves the cursor of a page that was delivered; after the last page the drain ends and the listener hears that
     * the source is drained.
     */
    public synchronized void commit(Page page) {
        Cursor before = committed();
        if (!page.cursor().equals(before)) {
            save(page.cursor());
        }
        pages++;
        if (page.cursor().startingFrom() != null && !CursorTime.same(page.cursor().startingFrom(), before.startingFrom())) {
            limit = settings.pageSize();
        }
        if (pages % settings.progressPages() == 0) {
            LOG.info("CockroachDB drain: {} pages read, cursor at {}", pages, page.cursor().startingFrom());
        }
        if (page.last()) {
            more = false;
            if (page.cursor().complete()) {
                LOG.info("CockroachDB window [{}, {}) read {} is complete ({} pages this run)",
                        settings.startFrom() == null ? "the organization's first event" : settings.startFrom(), settings.until(),
                        settings.sortOrder(), pages);
            }
            LOG.debug("CockroachDB drained up to {}", committed.startingFrom());
            listener.drained();
        }
    }

    /** The saved cursor's position, for logs. */
    public synchronized String cursorText() {
        return committed == null || committed.startingFrom() == null ? "the beginning" : committed.startingFrom();
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
        listener.failed(reason);
    }

    // ---------------------------------------------------------------- helpers

    private Cursor committed() {
        if (committed == null) {
            // a first run starts at start-from, or read backward (DESC) at until, whose entries are then left out
            String first = settings.sortOrder() == CockroachDbSettings.SortOrder.DESC ? settings.until() : settings.startFrom();
            committed = cursors.read().orElse(new Cursor(first, Set.of()));
            limit = settings.pageSize();
            LOG.info("CockroachDB Cloud source starts at {}{}", committed.complete() ? "the end of its window (complete)"
                    : committed.startingFrom() == null ? "the organization's first event" : "starting_from=" + committed.startingFrom(),
                    settings.window() ? ", reading " + settings.sortOrder() + " the window [" + (settings.startFrom() == null
                            ? "the organization's first event" : settings.startFrom()) + ", " + settings.until() + ")" : "");
        }
        return committed;
    }

    private void save(Cursor cursor) {
        cursors.save(cursor);
        committed = cursor;
        if (cursor.startingFrom() != null) {
            listener.cursorSaved(CursorTime.of(cursor.startingFrom()));
        }
    }

    private static Cursor merge(Cursor cursor, String at, Set<String> ids) {
        Set<String> all = new LinkedHashSet<>();
        if (CursorTime.same(at, cursor.startingFrom())) {
            all.addAll(cursor.deliveredIds());
        }
        all.addAll(ids);
        return new Cursor(at, all);
    }

    /** The timestamp one microsecond later, written with six fraction digits (the API's precision). */
    static String plusOneMicrosecond(String timestamp) {
        return MICROS.format(CursorTime.of(timestamp).plusNanos(1_000));
    }

    /** The timestamp one microsecond earlier (reading DESC), written with six fraction digits. */
    static String minusOneMicrosecond(String timestamp) {
        return MICROS.format(CursorTime.of(timestamp).minusNanos(1_000));
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

    /** Twice {@code wait}, at most the maximum backoff. */
    public Duration doubled(Duration wait) {
        Duration twice = wait.multipliedBy(2);
        return twice.compareTo(settings.maxBackoff()) > 0 ? settings.maxBackoff() : twice;
    }

    /** Sleeps in short slices so a stopping source is not held up; returns early when interrupted. */
    public void pause(Duration duration) {
        long end = System.nanoTime() + duration.toNanos();
        while (running.getAsBoolean()) {
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
}
