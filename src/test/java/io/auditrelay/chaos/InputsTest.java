package io.auditrelay.chaos;

import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** The soak's inputs keep rising in time long past a day's worth of seconds (the CockroachDB stand-in pages by time). */
class InputsTest {

    @Test
    void input_times_rise_with_n_past_86400_inputs_and_differ_in_milliseconds() {
        Instant previous = Instant.MIN;
        for (long n : new long[] {1, 2, 86_399, 86_400, 86_401, 172_800, 300_000, 8_639_999}) {
            String time = Inputs.time("2024-06-01", n);
            Instant at = Instant.parse(time);
            assertThat(at).as(time).isAfter(previous);
            assertThat(time).startsWith("2024-06-01T");
            previous = at;
        }
        assertThat(Inputs.time("2024-06-01", 300_000)).isEqualTo("2024-06-01T00:50:00.000000Z");
        assertThat(Inputs.time("2024-06-01", 7).substring(0, 23)).isNotEqualTo(Inputs.time("2024-06-01", 8).substring(0, 23));
    }
}
