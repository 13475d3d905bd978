package io.auditrelay.source.cockroachdb;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;

/**
 * Timestamps of the auditlogevents API as instants. The API writes them in proto3 JSON form, with 0, 3, 6 or 9
 * fraction digits ({@code 2024-05-01T10:00:00Z}, {@code ...00.500Z}, {@code ...00.500001Z}), so two strings for the
 * same instant can differ and string order is not time order ({@code "10:00:01Z" > "10:00:01.5Z"}): every comparison
 * of cursors, {@code created_at} and window bounds goes through {@link #of(String)}.
 */
final class CursorTime {

    private CursorTime() {
    }

    /** The instant of an RFC 3339 timestamp ({@code Z} or an offset, 0 to 9 fraction digits). */
    static Instant of(String timestamp) {
        return OffsetDateTime.parse(timestamp).toInstant();
    }

    /** The instant, or null when the text is null or not a timestamp. */
    static Instant orNull(String timestamp) {
        if (timestamp == null) {
            return null;
        }
        try {
            return of(timestamp);
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** Whether both name the same instant (both null counts as the same). */
    static boolean same(String a, String b) {
        if (a == null || b == null) {
            return a == b;
        }
        Instant x = orNull(a);
        Instant y = orNull(b);
        return x != null && x.equals(y);
    }

    /** The instant written in proto3 JSON form: UTC, 0, 3, 6 or 9 fraction digits. */
    static String format(Instant instant) {
        return DateTimeFormatter.ISO_INSTANT.format(instant);
    }
}
