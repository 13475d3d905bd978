package io.auditrelay.mapper;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.time.temporal.TemporalAccessor;

/** Vendor timestamp parsing at full precision, and RFC 3339 UTC formatting with six fraction digits. */
public final class Timestamps {

    private static final DateTimeFormatter TIME = new DateTimeFormatterBuilder()
            .appendValue(ChronoField.HOUR_OF_DAY, 2).appendLiteral(':')
            .appendValue(ChronoField.MINUTE_OF_HOUR, 2)
            .optionalStart().appendLiteral(':').appendValue(ChronoField.SECOND_OF_MINUTE, 2)
            .optionalStart().appendFraction(ChronoField.NANO_OF_SECOND, 1, 9, true).optionalEnd()
            .optionalEnd()
            .toFormatter();

    /** Date, {@code T} or a space, time with optional seconds and fraction, optional offset or {@code Z}. */
    private static final DateTimeFormatter DATE_TIME = new DateTimeFormatterBuilder()
            .parseCaseInsensitive()
            .append(DateTimeFormatter.ISO_LOCAL_DATE)
            .optionalStart().appendLiteral('T').optionalEnd()
            .optionalStart().appendLiteral(' ').optionalEnd()
            .append(TIME)
            .optionalStart().appendOffset("+HH:MM:ss", "Z").optionalEnd()
            .optionalStart().appendOffset("+HHMM", "Z").optionalEnd()
            .toFormatter();

    /** RFC 3339 in UTC, always six fraction digits: {@code 2024-03-05T12:34:56.789000Z}. */
    private static final DateTimeFormatter MICROS = DateTimeFormatter
            .ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

    private Timestamps() {
    }

    /**
     * Formats as RFC 3339 UTC with exactly six fraction digits, whatever precision the vendor wrote:
     * milliseconds are padded, nanoseconds cut to microseconds.
     */
    public static String format(Instant instant) {
        long seconds = instant.getEpochSecond();
        if (seconds < 0 || seconds >= YEAR_10000) {
            return MICROS.format(instant);
        }
        // the same text as MICROS for years 1970-9999, without the formatter's field resolution per event
        LocalDateTime t = LocalDateTime.ofEpochSecond(seconds, 0, ZoneOffset.UTC);
        char[] out = "0000-00-00T00:00:00.000000Z".toCharArray();
        digits(out, 0, 4, t.getYear());
        digits(out, 5, 2, t.getMonthValue());
        digits(out, 8, 2, t.getDayOfMonth());
        digits(out, 11, 2, t.getHour());
        digits(out, 14, 2, t.getMinute());
        digits(out, 17, 2, t.getSecond());
        digits(out, 20, 6, instant.getNano() / 1000);
        return new String(out);
    }

    /** 10000-01-01T00:00:00Z: from here on the year needs a sign and more digits. */
    private static final long YEAR_10000 = 253402300800L;

    private static void digits(char[] out, int at, int width, int value) {
        for (int i = at + width - 1; i >= at; i--) {
            out[i] = (char) ('0' + value % 10);
            value /= 10;
        }
    }

    /**
     * Formats as ISO-8601 UTC with as many fraction digits as the instant needs (the format of schema 1.0).
     * Only for what must not change between versions, such as the content hash of Astra ids.
     */
    public static String formatShortest(Instant instant) {
        return DateTimeFormatter.ISO_INSTANT.format(instant);
    }

    /**
     * Parses an ISO-8601 timestamp that carries {@code Z} or an offset, e.g.
     * {@code 2022-10-09T02:40:00.262143Z} or {@code 2024-03-05T13:34:56+01:00}.
     *
     * @param field the record field, named in the exception
     * @throws MappingException when the value is blank, has no zone or is not a timestamp
     */
    public static Instant parseIso(String field, String value) {
        Instant fast = value == null ? null : parseCommonIso(value.trim());
        if (fast != null) {
            return fast;
        }
        TemporalAccessor parsed = parse(field, value);
        if (!parsed.isSupported(ChronoField.OFFSET_SECONDS)) {
            throw new MappingException(field, "timestamp has no zone or offset: '" + value + "'");
        }
        return toInstant(parsed, field, value);
    }

    /**
     * Parses a timestamp where a missing zone means UTC, e.g. {@code 2024-03-05 12:34:56.789} or
     * {@code 2024-03-05T12:34:56.789123}. An explicit {@code Z} or offset is honoured.
     *
     * @param field the record field, named in the exception
     * @throws MappingException when the value is blank or not a timestamp
     */
    public static Instant parseUtc(String field, String value) {
        return toInstant(parse(field, value), field, value);
    }

    /**
     * Combines a date ({@code 2024-03-05}) with a zone-less time of day ({@code 12:34:56.789}), as UTC.
     *
     * @throws MappingException naming {@code dateField} or {@code timeField} for whichever is unreadable
     */
    public static Instant parseUtc(String dateField, String date, String timeField, String time) {
        LocalDate day;
        try {
            day = LocalDate.parse(require(dateField, date).substring(0, Math.min(10, date.length())));
        } catch (DateTimeParseException e) {
            throw new MappingException(dateField, "not a date: '" + date + "'", e);
        }
        try {
            return LocalDateTime.of(day, LocalTime.from(TIME.parse(require(timeField, time).trim())))
                    .toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            throw new MappingException(timeField, "not a time of day: '" + time + "'", e);
        }
    }

    /** Whether the value looks like a bare time of day ({@code HH:mm...}) rather than a full timestamp. */
    public static boolean isTimeOfDay(String value) {
        return value != null && value.trim().matches("\\d{1,2}:\\d{2}.*");
    }

    /**
     * The common form {@code 2024-03-05T12:34:56[.f{1,9}](Z|+01:00)} read without the formatter (which resolves
     * fields through maps per call), or null for anything else, which then goes through the formatter.
     */
    static Instant parseCommonIso(String v) {
        int n = v.length();
        if (n < 20 || v.charAt(4) != '-' || v.charAt(7) != '-' || v.charAt(10) != 'T' || v.charAt(13) != ':'
                || v.charAt(16) != ':') {
            return null;
        }
        int year = number(v, 0, 4);
        int month = number(v, 5, 2);
        int day = number(v, 8, 2);
        int hour = number(v, 11, 2);
        int minute = number(v, 14, 2);
        int second = number(v, 17, 2);
        if (year < 0 || month < 1 || month > 12 || day < 1 || day > 28 && day > YearMonth.of(year, month).lengthOfMonth()
                || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) {
            return null;
        }
        int at = 19;
        int nanos = 0;
        if (v.charAt(at) == '.') {
            int start = ++at;
            while (at < n && at - start < 9 && v.charAt(at) >= '0' && v.charAt(at) <= '9') {
                nanos = nanos * 10 + (v.charAt(at++) - '0');
            }
            if (at == start || at < n && v.charAt(at) >= '0' && v.charAt(at) <= '9') {
                return null;
            }
            for (int i = at - start; i < 9; i++) {
                nanos *= 10;
            }
        }
        int offset;
        if (at == n - 1 && v.charAt(at) == 'Z') {
            offset = 0;
        } else if (at == n - 6 && (v.charAt(at) == '+' || v.charAt(at) == '-') && v.charAt(at + 3) == ':') {
            int oh = number(v, at + 1, 2);
            int om = number(v, at + 4, 2);
            if (oh < 0 || oh > 17 || om < 0 || om > 59) {
                return null;
            }
            offset = (v.charAt(at) == '-' ? -1 : 1) * (oh * 3600 + om * 60);
        } else {
            return null;
        }
        long epochDay = LocalDate.of(year, month, day).toEpochDay();
        return Instant.ofEpochSecond(epochDay * 86400 + hour * 3600L + minute * 60L + second - offset, nanos);
    }

    /** The unsigned decimal of {@code width} digits at {@code at}, or -1. */
    private static int number(String v, int at, int width) {
        int value = 0;
        for (int i = at; i < at + width; i++) {
            char c = v.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    private static TemporalAccessor parse(String field, String value) {
        try {
            return DATE_TIME.parse(require(field, value).trim());
        } catch (DateTimeParseException e) {
            throw new MappingException(field, "not a timestamp: '" + value + "'", e);
        }
    }

    private static Instant toInstant(TemporalAccessor parsed, String field, String value) {
        try {
            LocalDateTime local = LocalDateTime.of(LocalDate.from(parsed), LocalTime.from(parsed));
            ZoneOffset offset = parsed.isSupported(ChronoField.OFFSET_SECONDS)
                    ? ZoneOffset.ofTotalSeconds(parsed.get(ChronoField.OFFSET_SECONDS))
                    : ZoneOffset.UTC;
            return local.toInstant(offset);
        } catch (RuntimeException e) {
            throw new MappingException(field, "not a timestamp: '" + value + "'", e);
        }
    }

    private static String require(String field, String value) {
        if (value == null || value.isBlank()) {
            throw new MappingException(field, "missing timestamp");
        }
        return value;
    }
}
