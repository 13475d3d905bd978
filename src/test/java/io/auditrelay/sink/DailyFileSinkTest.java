package io.auditrelay.sink;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.auditrelay.event.Activity;
import io.auditrelay.event.AuditEvent;
import io.auditrelay.event.Outcome;
import io.auditrelay.event.Delivery;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.impl.engine.DefaultUnitOfWork;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
        killed(before);

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

    @ParameterizedTest
    @ValueSource(strings = {"\n", "\r\n"})
    void a_record_torn_right_after_a_line_break_inside_a_quoted_field_is_cut_whole(String lineBreak) throws Exception {
        Path csv = dir.resolve("audit-2024-06-01.csv");
        CsvFileSink before = new CsvFileSink(dir);
        before.start();
        before.accept(event("airkit:e1", "2024-06-01T10:00:00Z", "x"));
        before.accept(event("airkit:e2", "2024-06-01T10:00:01Z", "first" + lineBreak + "second"));
        before.stop();
        // a hard kill in the middle of writing e3, right after the line break inside its resource_name
        String e3 = before.line(event("airkit:e3", "2024-06-01T10:00:02Z", "torn" + lineBreak + "here, \"quoted\""));
        String torn = e3.substring(0, e3.indexOf(lineBreak) + lineBreak.length());
        Files.writeString(csv, torn, StandardOpenOption.APPEND);

        CsvFileSink after = new CsvFileSink(dir);
        after.start();
        // the unit is delivered again, then the next one
        after.accept(event("airkit:e1", "2024-06-01T10:00:00Z", "x"));
        after.accept(event("airkit:e2", "2024-06-01T10:00:01Z", "first" + lineBreak + "second"));
        after.accept(event("airkit:e3", "2024-06-01T10:00:02Z", "torn" + lineBreak + "here, \"quoted\""));
        after.accept(event("airkit:e4", "2024-06-01T10:00:03Z", "a" + lineBreak));
        after.accept(event("airkit:e5", "2024-06-01T10:00:04Z", "y"));
        after.stop();

        List<CSVRecord> records = strictCsv(csv);
        assertThat(records).allSatisfy(r -> assertThat(r.size()).isEqualTo(14));
        assertThat(records).extracting(r -> r.get(0))
                .containsExactly("id", "airkit:e1", "airkit:e2", "airkit:e3", "airkit:e4", "airkit:e5");
        assertThat(records.get(0).get(11)).isEqualTo("resource_name");
        assertThat(records.get(3).get(11))
                .isEqualTo("torn" + lineBreak + "here, \"quoted\"");
    }

    @Test
    void a_torn_record_after_the_committed_offset_is_cut_and_the_complete_ones_are_not_written_again() throws Exception {
        Path csv = dir.resolve("audit-2024-06-01.csv");
        CsvFileSink before = new CsvFileSink(dir);
        before.start();
        before.accept(event("airkit:e1", "2024-06-01T10:00:00Z", "one\nline break"));
        long committed = Files.size(csv);
        before.accept(event("airkit:e2", "2024-06-01T10:00:01Z", "two\nline breaks\n"));
        before.stop();
        // e1 belongs to a completed unit; a resource_name whose continuation looks like a record of its own
        Files.writeString(dir.resolve(DailyFileSink.OFFSETS_FILE), "{\"audit-2024-06-01.csv\":" + committed + "}");
        String e3 = before.line(event("airkit:e3", "2024-06-01T10:00:02Z", "x\nairkit:e9,2024-06-01T10:00:09Z"));
        Files.writeString(csv, e3.substring(0, e3.indexOf('\n') + 1) + "airkit:e9,", StandardOpenOption.APPEND);

        CsvFileSink after = new CsvFileSink(dir);
        after.start();
        after.accept(event("airkit:e2", "2024-06-01T10:00:01Z", "two\nline breaks\n"));
        after.accept(event("airkit:e3", "2024-06-01T10:00:02Z", "x\nairkit:e9,2024-06-01T10:00:09Z"));
        after.stop();

        assertThat(strictCsv(csv)).extracting(r -> r.get(0)).containsExactly("id", "airkit:e1", "airkit:e2", "airkit:e3");
    }

    /** A unit's exchange with a unit of work; {@link #complete} completes it as the end of the unit would. */
    private static Exchange unit(CamelContext context) {
        Exchange exchange = new DefaultExchange(context);
        exchange.getExchangeExtension().setUnitOfWork(new DefaultUnitOfWork(exchange));
        return exchange;
    }

    private static void complete(Exchange unit) {
        unit.getUnitOfWork().done(unit);
    }

    @Test
    void a_record_recovered_at_a_restart_stays_recovered_after_later_units_complete_and_another_kill() throws Exception {
        try (CamelContext context = new DefaultCamelContext()) {
            NdjsonFileSink first = new NdjsonFileSink(dir);
            first.start();
            // killed while e1's unit was in flight: e1 is in the file, its unit not acknowledged
            first.acceptAll(List.of(new Delivery(event("airkit:e1", "2024-06-01T10:00:00Z", "x"), null)), unit(context));
            killed(first);

            NdjsonFileSink second = new NdjsonFileSink(dir);
            second.start();
            // another source's unit completes first (e1's unit comes back only later, e.g. a Kafka partition the
            // restarted relay is given after a rebalance), then a second kill
            Exchange other = unit(context);
            second.acceptAll(List.of(new Delivery(event("airkit:e2", "2024-06-01T10:00:01Z", "y"), null)), other);
            complete(other);
            killed(second);

            NdjsonFileSink third = new NdjsonFileSink(dir);
            third.start();
            Exchange again = unit(context);
            third.acceptAll(List.of(new Delivery(event("airkit:e1", "2024-06-01T10:00:00Z", "x"), null),
                    new Delivery(event("airkit:e3", "2024-06-01T10:00:02Z", "z"), null)), again);
            complete(again);
            third.stop();
        }
        assertThat(Files.readAllLines(dir.resolve("audit-2024-06-01.ndjson"))).extracting(l -> l.substring(7, 16))
                .containsExactly("airkit:e1", "airkit:e2", "airkit:e3");
    }

    @Test
    void the_recovered_ranges_of_a_file_that_is_gone_are_dropped_at_the_next_start() throws Exception {
        try (CamelContext context = new DefaultCamelContext()) {
            NdjsonFileSink first = new NdjsonFileSink(dir);
            first.start();
            first.acceptAll(List.of(new Delivery(event("airkit:e1", "2024-06-01T10:00:00Z", "x"), null),
                    new Delivery(event("airkit:e2", "2024-06-02T10:00:00Z", "y"), null)), unit(context));
            // killed with the unit in flight: both files hold a recovered range after the restart
            killed(first);
            NdjsonFileSink second = new NdjsonFileSink(dir);
            second.start();
            assertThat(Files.readString(dir.resolve(DailyFileSink.RECOVERED_FILE)))
                    .contains("audit-2024-06-01.ndjson", "audit-2024-06-02.ndjson");

            Files.delete(dir.resolve("audit-2024-06-01.ndjson")); // rotated away by the operator
            killed(second);
            new NdjsonFileSink(dir).start();
            assertThat(Files.readString(dir.resolve(DailyFileSink.RECOVERED_FILE)))
                    .doesNotContain("audit-2024-06-01.ndjson").contains("audit-2024-06-02.ndjson");
        }
    }

    /** Every record of a file, read with Commons CSV's RFC 4180 format (an unbalanced quote throws). */
    static List<CSVRecord> strictCsv(Path file) throws Exception {
        try (CSVParser parser = CSVParser.parse(file, StandardCharsets.UTF_8, CSVFormat.RFC4180)) {
            return parser.getRecords();
        }
    }

    @Test
    void an_ndjson_line_holds_no_raw_line_break_so_its_last_line_break_ends_the_last_complete_event() throws Exception {
        NdjsonFileSink sink = new NdjsonFileSink(dir);
        sink.start();
        sink.accept(event("airkit:e1", "2024-06-01T10:00:00Z", "a\nb\r\nc"));
        sink.stop();
        assertThat(Files.readString(dir.resolve("audit-2024-06-01.ndjson"))).containsOnlyOnce("\n").endsWith("}\n");
    }

    @Test
    void a_restarted_ndjson_sink_appends_after_the_repaired_tail() throws Exception {
        NdjsonFileSink before = new NdjsonFileSink(dir);
        before.start();
        before.accept(event("airkit:e1", "2024-06-01T10:00:00Z", "x"));
        Files.writeString(dir.resolve("audit-2024-06-01.ndjson"), "{\"id\":\"airkit:e2\",\"ti", StandardOpenOption.APPEND);
        killed(before);

        NdjsonFileSink after = new NdjsonFileSink(dir);
        after.start();
        after.accept(event("airkit:e1", "2024-06-01T10:00:00Z", "x"));
        after.accept(event("airkit:e2", "2024-06-01T10:00:01Z", "y"));
        after.stop();

        assertThat(Files.readAllLines(dir.resolve("audit-2024-06-01.ndjson")))
                .hasSize(2).allSatisfy(l -> assertThat(l).startsWith("{\"id\":\"airkit:e").endsWith("}"));
    }

    /**
     * What a hard kill of the sink leaves on disk, in this JVM: it writes each line through to its file before it
     * returns and its stop only closes the files (nothing is flushed or committed), and frees the folder for the next
     * sink as the end of a killed process does. SIGKILLs of real processes: HardKillTest, CrashSuiteIT.
     */
    private static void killed(DailyFileSink sink) {
        sink.stop();
    }

    @Test
    void a_second_sink_on_a_folder_a_running_one_writes_refuses_to_start_and_says_why() {
        NdjsonFileSink running = new NdjsonFileSink(dir);
        running.start();
        try {
            assertThatThrownBy(() -> new NdjsonFileSink(dir).start()).hasMessageContaining(
                    "The ndjson sink's folder " + dir + " is in use by another running ndjson sink");
        } finally {
            running.stop();
        }
        NdjsonFileSink next = new NdjsonFileSink(dir);
        next.start();
        next.stop();
    }
}
