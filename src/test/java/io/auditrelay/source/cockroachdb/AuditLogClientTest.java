package io.auditrelay.source.cockroachdb;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class AuditLogClientTest {

    private static final Instant NOW = Instant.parse("2015-10-21T07:27:30Z");

    @Test
    void retry_after_in_seconds() {
        assertThat(AuditLogClient.parseRetryAfter("1", NOW)).contains(Duration.ofSeconds(1));
        assertThat(AuditLogClient.parseRetryAfter(" 120 ", NOW)).contains(Duration.ofSeconds(120));
    }

    @Test
    void retry_after_as_an_http_date_is_the_time_until_then_and_zero_when_past() {
        assertThat(AuditLogClient.parseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT", NOW)).contains(Duration.ofSeconds(30));
        assertThat(AuditLogClient.parseRetryAfter("Wed, 21 Oct 2015 07:00:00 GMT", NOW)).contains(Duration.ZERO);
    }

    @Test
    void missing_or_garbage_retry_after_is_empty_so_the_configured_backoff_applies() {
        assertThat(AuditLogClient.parseRetryAfter(null, NOW)).isEqualTo(Optional.empty());
        assertThat(AuditLogClient.parseRetryAfter("", NOW)).isEmpty();
        assertThat(AuditLogClient.parseRetryAfter("soon", NOW)).isEmpty();
        assertThat(AuditLogClient.parseRetryAfter("-5", NOW)).isEmpty();
        assertThat(AuditLogClient.parseRetryAfter("1.5", NOW)).isEmpty();
    }

    @Test
    void a_non_json_page_is_unreadable_and_the_cursor_is_kept_verbatim() {
        assertThat(AuditLogClient.parsePage("<html>oops</html>")).isInstanceOf(AuditLogClient.Outcome.Unreadable.class);
        AuditLogClient.Outcome page = AuditLogClient.parsePage(
                "{\"entries\":[{\"id\":\"x\",\"created_at\":\"2022-10-09T02:40:00.262143Z\"}],\"next_starting_from\":\"2022-10-09T02:40:35.054818Z\"}");
        assertThat(page).isInstanceOfSatisfying(AuditLogClient.Outcome.Page.class, p -> {
            assertThat(p.nextStartingFrom()).isEqualTo("2022-10-09T02:40:35.054818Z");
            assertThat(p.entries()).singleElement().asString().contains("2022-10-09T02:40:00.262143Z");
        });
    }

    @Test
    void one_microsecond_later_keeps_six_fraction_digits() {
        assertThat(CockroachDbPoller.plusOneMicrosecond("2022-10-09T02:40:00.262143Z")).isEqualTo("2022-10-09T02:40:00.262144Z");
        assertThat(CockroachDbPoller.plusOneMicrosecond("2022-10-09T02:40:00.999999Z")).isEqualTo("2022-10-09T02:40:01.000000Z");
        assertThat(CockroachDbPoller.plusOneMicrosecond("2022-10-09T02:40:00Z")).isEqualTo("2022-10-09T02:40:00.000001Z");
    }
}
