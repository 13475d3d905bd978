package io.auditrelay.mapper;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
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
        return MICROS.format(instant);
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
