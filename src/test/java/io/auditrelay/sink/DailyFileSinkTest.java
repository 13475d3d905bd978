package io.auditrelay.sink;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.auditrelay.event.Activity;
import io.auditrelay.event.AuditEvent;
import io.auditrelay.event.Outcome;
import io.auditrelay.event.Delivery;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class DailyFileSinkTest {

    @TempDir
    Path dir;

    static AuditEvent event(String id, String time, String resourceName) {
        return new AuditEvent(id, time, "2026-01-01T00:00:00Z", "airkit", "user_login", Activity.LOGIN, Outcome.SUCCESS,
                new AuditEvent.Actor("u-1", "a@example.com"), new AuditEvent.Resource("app", "app-1", resourceName), "org-1",
                JsonNodeFactory.instance.objectNode().put("EVENT_ID", id));
    }

    @Test
    void csv_fields_are_quoted_per_rfc_4180_and_files_are_split_by_utc_day() throws Exception {
        CsvFileSink sink = new CsvFileSink(dir);
        sink.start();
        sink.accept(event("airkit:e1", "2024-06-01T23:59:59.999Z", "a \"quoted\", name\nwith a line break"));
        sink.accept(event("airkit:e2", "2024-06-02T00:00:00Z", "plain"));
        sink.stop();

        String day1 = Files.readString(dir.resolve("audit-2024-06-01.csv"));
        assertThat(day1).isEqualTo(CsvFileSink.HEADER + "\r\n"
                + "airkit:e1,2024-06-01T23:59:59.999Z,2026-01-01T00:00:00Z,airkit,user_login,login,success,u-1,a@example.com,"
                + "app,app-1,\"a \"\"quoted\"\", name\nwith a line break\",org-1,\"{\"\"EVENT_ID\"\":\"\"airkit:e1\"\"}\"\r\n");
        assertThat(Files.readAllLines(dir.resolve("audit-2024-06-02.csv"))).hasSize(2);
    }

    @Test
    void a_chunk_is_written_with_one_write_per_day_file_and_a_retried_chunk_writes_nothing_twice() throws Exception {
        CsvFileSink sink = new CsvFileSink(dir);
        sink.start();
        List<Delivery> chunk = List.of(
                new Delivery(event("airkit:e1", "2024-06-01T10:00:00Z", "x"), null),
                new Delivery(event("airkit:e2", "2024-06-02T10:00:00Z", "y"), null),
                new Delivery(event("airkit:e3", "2024-06-01T11:00:00Z", "z"), null));
        sink.acceptAll(chunk, null);
        sink.acceptAll(chunk, null); // the spine retried the whole chunk
        sink.stop();

        assertThat(Files.readAllLines(dir.resolve("audit-2024-06-01.csv"))).hasSize(3)
                .element(1).asString().startsWith("airkit:e1,");
        assertThat(Files.readAllLines(dir.resolve("audit-2024-06-01.csv")).get(2)).startsWith("airkit:e3,");
        assertThat(Files.readAllLines(dir.resolve("audit-2024-06-02.csv"))).hasSize(2);
    }

    @Test
    void a_restarted_csv_sink_repairs_a_torn_line_and_skips_the_events_it_already_holds() throws Exception {
        CsvFileSink before = new CsvFileSink(dir);
        before.start();
        before.accept(event("airkit:e1", "2024-06-01T10:00:00Z", "x"));
        before.accept(event("airkit:e2", "2024-06-01T10:00:01Z", "y"));
        // a hard kill in the middle of writing the third line
        Files.writeString(dir.resolve("audit-2024-06-01.csv"), "airkit:e3,2024-06-01T10:0", StandardOpenOption.APPEND);

        CsvFileSink after = new CsvFileSink(dir);
        after.start();
        after.accept(event("airkit:e2", "2024-06-01T10:00:01Z", "y"));
        after.accept(event("airkit:e3", "2024-06-01T10:00:02Z", "z"));
        after.accept(event("airkit:e1", "2024-06-01T10:00:00Z", "x"));
        after.stop();

        List<String> lines = Files.readAllLines(dir.resolve("audit-2024-06-01.csv"), StandardCharsets.UTF_8);
        assertThat(lines).hasSize(4);
        assertThat(lines.subList(1, 4)).extracting(l -> l.substring(0, l.indexOf(',')))
                .containsExactly("airkit:e1", "airkit:e2", "airkit:e3");
    }

    @Test
    void a_restarted_ndjson_sink_appends_after_the_repaired_tail() throws Exception {
        NdjsonFileSink before = new NdjsonFileSink(dir);
        before.start();
        before.accept(event("airkit:e1", "2024-06-01T10:00:00Z", "x"));
        Files.writeString(dir.resolve("audit-2024-06-01.ndjson"), "{\"id\":\"airkit:e2\",\"ti", StandardOpenOption.APPEND);

        NdjsonFileSink after = new NdjsonFileSink(dir);
        after.start();
        after.accept(event("airkit:e1", "2024-06-01T10:00:00Z", "x"));
        after.accept(event("airkit:e2", "2024-06-01T10:00:01Z", "y"));
        after.stop();

        assertThat(Files.readAllLines(dir.resolve("audit-2024-06-01.ndjson")))
                .hasSize(2).allSatisfy(l -> assertThat(l).startsWith("{\"id\":\"airkit:e").endsWith("}"));
    }
}
