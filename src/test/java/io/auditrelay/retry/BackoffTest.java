package io.auditrelay.retry;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class BackoffTest {

    @Test
    void doubles_from_the_first_wait_up_to_the_cap() {
        Backoff backoff = Backoff.ofMillis(1000, 30_000);
        assertThat(backoff.undelayed(1)).isEqualTo(Duration.ofSeconds(1));
        assertThat(backoff.undelayed(2)).isEqualTo(Duration.ofSeconds(2));
        assertThat(backoff.undelayed(5)).isEqualTo(Duration.ofSeconds(16));
        assertThat(backoff.undelayed(6)).isEqualTo(Duration.ofSeconds(30));
        assertThat(backoff.undelayed(1000)).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void the_delay_is_between_half_and_all_of_the_schedule() {
        Backoff backoff = Backoff.ofMillis(1000, 30_000);
        for (int i = 0; i < 200; i++) {
            assertThat(backoff.delay(3)).isBetween(Duration.ofMillis(2000), Duration.ofMillis(4000));
        }
    }
}
