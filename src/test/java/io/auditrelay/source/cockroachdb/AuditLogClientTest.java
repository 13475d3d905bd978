package io.auditrelay.source.cockroachdb;

import org.junit.jupiter.api.Test;


import static org.assertj.core.api.Assertions.assertThat;

class AuditLogClientTest {

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
