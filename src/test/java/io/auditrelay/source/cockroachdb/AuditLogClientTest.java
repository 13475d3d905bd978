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
    void a_page_with_a_hostile_entry_keeps_the_entries_around_it_and_its_cursor() {
        String deep = "[".repeat(100_000) + "]".repeat(100_000);
        AuditLogClient.Outcome page = AuditLogClient.parsePage("{\"entries\":[{\"id\":\"a\"}, {\"id\":\"deep\",\"p\":" + deep
                + "}, {\"id\":\"b\",\"s\":\"" + "x".repeat(30_000_000) + "\"}, {\"id\":\"c\"}],\"next_starting_from\":\"2022-10-09T02:40:35Z\"}");

        assertThat(page).isInstanceOfSatisfying(AuditLogClient.Outcome.Page.class, p -> {
            assertThat(p.nextStartingFrom()).isEqualTo("2022-10-09T02:40:35Z");
            assertThat(p.entries()).hasSize(4);
            assertThat(p.entries().get(0)).isEqualTo("{\"id\":\"a\"}");
            assertThat(p.entries().get(1)).startsWith("{\"id\":\"deep\"").endsWith("]}").hasSize(200_018);
            assertThat(p.entries().get(3)).isEqualTo("{\"id\":\"c\"}");
        });
        assertThat(AuditLogClient.parsePage("{\"entries\":[{\"id\":\"a\"},{\"id\":")).isInstanceOf(AuditLogClient.Outcome.Unreadable.class);
        assertThat(AuditLogClient.parsePage("{\"entries\":{}}")).isInstanceOf(AuditLogClient.Outcome.Unreadable.class);
    }

    @Test
    void one_microsecond_later_keeps_six_fraction_digits() {
        assertThat(CockroachDbPoller.plusOneMicrosecond("2022-10-09T02:40:00.262143Z")).isEqualTo("2022-10-09T02:40:00.262144Z");
        assertThat(CockroachDbPoller.plusOneMicrosecond("2022-10-09T02:40:00.999999Z")).isEqualTo("2022-10-09T02:40:01.000000Z");
        assertThat(CockroachDbPoller.plusOneMicrosecond("2022-10-09T02:40:00Z")).isEqualTo("2022-10-09T02:40:00.000001Z");
    }
}
