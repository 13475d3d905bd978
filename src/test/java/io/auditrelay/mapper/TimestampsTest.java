package io.auditrelay.mapper;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TimestampsTest {

    @ParameterizedTest
    @ValueSource(strings = {"2022-10-09T02:40:00.262143Z", "2024-03-05T13:34:56.123456789+01:00", "2024-03-05T13:34:56Z",
            "2024-02-29T23:59:59.9-05:30", "2023-02-29T00:00:00Z", "2024-04-31T00:00:00Z", "2024-03-05T13:34:56.1234567891Z",
            "2024-03-05T13:34:56.Z", "2024-03-05T13:34:56+18:30", "2024-03-05T13:34:56-17:59", "0001-01-01T00:00:00Z",
            "2024-03-05t13:34:56z", "2024-03-05T13:34:56+0100", "2024-03-05 13:34:56Z", "2024-03-05T13:34Z"})
    void theCommonFormIsReadAsTheFormatterReadsIt(String input) {
        Instant fast = Timestamps.parseCommonIso(input);
        Instant viaFormatter;
        try {
            viaFormatter = Timestamps.parseUtc("t", input);
        } catch (MappingException e) {
            viaFormatter = null;
        }
        if (fast != null) {
            assertThat(fast).isEqualTo(viaFormatter);
        }
        assertThat(Timestamps.parseCommonIso("2024-03-05T13:34:56.5Z")).isEqualTo(Instant.parse("2024-03-05T13:34:56.5Z"));
    }

    @Test
    void formattingWritesWhatThePatternWrites() {
        java.time.format.DateTimeFormatter pattern = java.time.format.DateTimeFormatter
                .ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(java.time.ZoneOffset.UTC);
        java.util.Random random = new java.util.Random(16);
        for (int i = 0; i < 10_000; i++) {
            Instant t = Instant.ofEpochSecond(random.nextLong(-100_000_000_000L, 300_000_000_000L), random.nextInt(1_000_000_000));
            assertThat(Timestamps.format(t)).isEqualTo(pattern.format(t));
        }
        assertThat(Timestamps.format(Instant.EPOCH)).isEqualTo("1970-01-01T00:00:00.000000Z");
    }

    @Test
    void isoKeepsMicroseconds() {
        Instant parsed = Timestamps.parseIso("created_at", "2022-10-09T02:40:00.262143Z");

        assertThat(Timestamps.format(parsed)).isEqualTo("2022-10-09T02:40:00.262143Z");
    }

    @Test
    void isoKeepsNanosecondsAndConvertsOffsetsToUtc() {
        assertThat(Timestamps.format(Timestamps.parseIso("t", "2024-03-05T13:34:56.123456789+01:00")))
                .isEqualTo("2024-03-05T12:34:56.123456Z");
        assertThat(Timestamps.format(Timestamps.parseIso("t", "2024-03-05T13:34:56-0230")))
                .isEqualTo("2024-03-05T16:04:56.000000Z");
    }

    @Test
    void alwaysSixFractionDigitsButTheIdFormIsTheShortest() {
        Instant nanos = Timestamps.parseIso("t", "2024-03-05T12:34:56.123456789Z");
        Instant millis = Timestamps.parseIso("t", "2024-03-05T12:34:56.1Z");

        assertThat(Timestamps.format(nanos)).isEqualTo("2024-03-05T12:34:56.123456Z");
        assertThat(Timestamps.format(millis)).isEqualTo("2024-03-05T12:34:56.100000Z");
        assertThat(Timestamps.format(Instant.parse("2024-03-05T12:34:56Z"))).isEqualTo("2024-03-05T12:34:56.000000Z");
        assertThat(Timestamps.formatShortest(millis)).isEqualTo("2024-03-05T12:34:56.100Z");
        assertThat(Timestamps.formatShortest(nanos)).isEqualTo("2024-03-05T12:34:56.123456789Z");
    }

    @ParameterizedTest
    @CsvSource({
        "2024-03-05 12:34:56.789,      2024-03-05T12:34:56.789000Z",
        "2024-03-05T12:34:56.789123,   2024-03-05T12:34:56.789123Z",
        "2024-03-05 12:34:56,          2024-03-05T12:34:56.000000Z",
        "2024-03-05T12:34,             2024-03-05T12:34:00.000000Z",
        "2024-03-05 12:34:56.789Z,     2024-03-05T12:34:56.789000Z",
        "2024-03-05T12:34:56.5+02:00,  2024-03-05T10:34:56.500000Z"
    })
    void zoneLessIsUtc(String input, String expected) {
        assertThat(Timestamps.format(Timestamps.parseUtc("EVENT_TIME", input))).isEqualTo(expected);
    }

    @Test
    void combinesDateAndTimeOfDayAsUtc() {
        assertThat(Timestamps.format(Timestamps.parseUtc("EVENT_DATE", "2024-03-05", "EVENT_TIME", "07:08:09.000123")))
                .isEqualTo("2024-03-05T07:08:09.000123Z");
        assertThat(Timestamps.isTimeOfDay("07:08:09")).isTrue();
        assertThat(Timestamps.isTimeOfDay("2024-03-05 07:08:09")).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "  ", "yesterday", "2024-13-05T00:00:00Z", "2024-03-05T25:00:00Z", "1709642096"})
    void badTimestampNamesTheField(String input) {
        assertThatThrownBy(() -> Timestamps.parseUtc("eventTime", input))
                .isInstanceOfSatisfying(MappingException.class, e -> assertThat(e.field()).isEqualTo("eventTime"));
    }

    @Test
    void isoRequiresAZone() {
        assertThatThrownBy(() -> Timestamps.parseIso("created_at", "2022-10-09T02:40:00.262143"))
                .isInstanceOfSatisfying(MappingException.class, e -> assertThat(e.field()).isEqualTo("created_at"));
        assertThatThrownBy(() -> Timestamps.parseIso("created_at", null))
                .isInstanceOfSatisfying(MappingException.class, e -> assertThat(e.field()).isEqualTo("created_at"));
    }

    @Test
    void badTimeOfDayNamesTheTimeField() {
        assertThatThrownBy(() -> Timestamps.parseUtc("EVENT_DATE", "2024-03-05", "EVENT_TIME", "12:7x"))
                .isInstanceOfSatisfying(MappingException.class, e -> assertThat(e.field()).isEqualTo("EVENT_TIME"));
        assertThatThrownBy(() -> Timestamps.parseUtc("EVENT_DATE", null, "EVENT_TIME", "12:00:00"))
                .isInstanceOfSatisfying(MappingException.class, e -> assertThat(e.field()).isEqualTo("EVENT_DATE"));
    }
}
