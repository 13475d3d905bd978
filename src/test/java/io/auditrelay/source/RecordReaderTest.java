package io.auditrelay.source;

import io.auditrelay.event.SourceRecord;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RecordReaderTest {

    private static final String ASTRA_HEADER = "typename,actionResult,userID,event,eventTime,eventType";
    private final RecordReader reader = new RecordReader();

    private List<SourceRecord> read(byte[] bytes, String name, String vendor) {
        List<SourceRecord> out = new ArrayList<>();
        Iterator<SourceRecord> it = reader.read(new ByteArrayInputStream(bytes), name, vendor);
        while (it.hasNext()) {
            out.add(it.next());
        }
        return out;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] gzip(byte[] bytes) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(bytes);
        }
        return out.toByteArray();
    }

    @Test
    void csv_export_with_bom_crlf_quotes_commas_and_embedded_newlines_is_read_row_by_row() {
        String csv = "\uFEFF" + ASTRA_HEADER + "\r\n"
                + "AuditEvent,SUCCESS,u-1,\"{\"\"name\"\":\"\"a, b\"\",\"\"note\"\":\"\"line1\r\nline2\"\"}\",2024-05-02T09:15:32.481Z,DB_CREATED\r\n"
                + "AuditEvent,FAILURE,u-2,{},2024-05-02T09:16:00.000Z,DB_DELETED\r\n";

        List<SourceRecord> records = read(utf8(csv), "export.csv", "astra");

        assertThat(records).hasSize(2);
        SourceRecord first = records.get(0);
        assertThat(first.problem()).isNull();
        assertThat(first.record().get("typename").asText()).isEqualTo("AuditEvent");
        assertThat(first.record().get("event").asText()).isEqualTo("{\"name\":\"a, b\",\"note\":\"line1\r\nline2\"}");
        assertThat(first.location()).isEqualTo("export.csv:2");
        assertThat(records.get(1).record().get("userID").asText()).isEqualTo("u-2");
        assertThat(records.get(1).location()).isEqualTo("export.csv:4");
    }

    @Test
    void csv_row_with_a_wrong_number_of_fields_is_unparsable_and_the_rest_still_flows() {
        String csv = ASTRA_HEADER + "\nAuditEvent,SUCCESS,u-1\nAuditEvent,SUCCESS,u-2,{},2024-05-02T09:16:00.000Z,DB_DELETED\n";

        List<SourceRecord> records = read(utf8(csv), "export.csv", "astra");

        assertThat(records).hasSize(2);
        assertThat(records.get(0).problem()).contains("3 fields").contains("6");
        assertThat(records.get(1).problem()).isNull();
    }

    @Test
    void csv_with_bare_cr_line_endings_is_unreadable_with_the_reason() {
        String csv = ASTRA_HEADER + "\rAuditEvent,SUCCESS,u-1,{},2024-05-02T09:15:32.481Z,DB_CREATED\r";

        assertThatThrownBy(() -> read(utf8(csv), "export.csv", "astra"))
                .isInstanceOf(UnreadableInputException.class)
                .hasMessage("wrong CSV header for astra: its lines end with a bare CR (\\r); save the file with LF or"
                        + " CRLF line endings");
    }

    @Test
    void csv_with_a_wrong_header_is_unreadable() {
        String csv = "when,who,what\n2024-01-01,me,DB_CREATED\n";

        assertThatThrownBy(() -> read(utf8(csv), "export.csv", "astra"))
                .isInstanceOf(UnreadableInputException.class)
                .hasMessageContaining("wrong CSV header").hasMessageContaining("typename");
    }

    @Test
    void json_lines_with_bare_cr_line_endings_or_two_records_on_a_line_are_dead_lettered_not_read_as_the_first_record() {
        List<SourceRecord> records = read(utf8("{\"id\":\"1\"}\r{\"id\":\"2\"}\r{\"id\":\"3\"}\r\n"
                + "{\"id\":\"4\"} {\"id\":\"5\"}\n{\"id\":\"6\"}\r\n"), "events.jsonl", "conduktor");

        assertThat(records).hasSize(3);
        assertThat(records.get(0).problem()).startsWith("not valid JSON: Trailing token")
                .endsWith("(the line holds bare CR line breaks: save the file with LF or CRLF line endings)");
        assertThat(records.get(0).text()).contains("\"3\"");
        assertThat(records.get(1).problem()).startsWith("not valid JSON: Trailing token").doesNotContain("bare CR");
        assertThat(records.get(1).location()).isEqualTo("events.jsonl:2");
        assertThat(records.get(2).problem()).isNull();
        assertThat(records.get(2).record().get("id").asText()).isEqualTo("6");
    }

    @Test
    void json_lines_are_read_one_by_one_and_a_bad_line_becomes_an_unparsable_record() {
        String lines = "{\"id\":\"1\"}\n\nnot json at all\n{\"id\":\"2\",\"trunc\n{\"id\":\"3\"}\n";

        List<SourceRecord> records = read(utf8(lines), "events.jsonl", "conduktor");

        assertThat(records).extracting(SourceRecord::location)
                .containsExactly("events.jsonl:1", "events.jsonl:3", "events.jsonl:4", "events.jsonl:5");
        assertThat(records.get(0).problem()).isNull();
        assertThat(records.get(1).problem()).startsWith("not valid JSON");
        assertThat(records.get(1).text()).isEqualTo("not json at all");
        assertThat(records.get(2).problem()).startsWith("not valid JSON");
        assertThat(records.get(3).record().get("id").asText()).isEqualTo("3");
    }

    @Test
    void gzipped_input_is_detected_by_content() throws Exception {
        byte[] body = gzip(utf8("{\"EVENT_ID\":\"e1\"}\n{\"EVENT_ID\":\"e2\"}\n"));

        assertThat(read(body, "audit.ndjson.gz", "airkit")).hasSize(2);
        assertThat(read(body, "audit-without-extension", "airkit")).hasSize(2);
    }

    @Test
    void a_file_named_gz_that_is_not_gzip_is_unreadable() {
        assertThatThrownBy(() -> read(utf8("{}\n"), "audit.ndjson.gz", "airkit"))
                .isInstanceOf(UnreadableInputException.class).hasMessageContaining("not gzip");
    }

    @Test
    void corrupt_gzip_is_unreadable() throws Exception {
        byte[] body = gzip(utf8("{\"EVENT_ID\":\"e1\"}\n".repeat(1000)));
        byte[] corrupt = java.util.Arrays.copyOf(body, body.length / 2);

        assertThatThrownBy(() -> read(corrupt, "audit.ndjson.gz", "airkit"))
                .isInstanceOf(UnreadableInputException.class).hasMessageContaining("gzip");
    }

    @Test
    void binary_content_is_unreadable() {
        byte[] binary = {(byte) 0x89, 'P', 'N', 'G', 0, 0, 0, 13, 'I', 'H', 'D', 'R'};

        assertThatThrownBy(() -> read(binary, "image.csv", "astra"))
                .isInstanceOf(UnreadableInputException.class).hasMessageContaining("binary");
    }

    @Test
    void an_api_response_file_is_streamed_entry_by_entry() {
        String response = "{\"entries\":[{\"id\":\"a\"},{\"id\":\"b\"}],\"next_starting_from\":\"2022-10-09T02:40:35.054818Z\"}";

        List<SourceRecord> records = read(utf8(response), "page.json", "cockroachdb");

        assertThat(records).extracting(r -> r.record().get("id").asText()).containsExactly("a", "b");
        assertThat(records).extracting(SourceRecord::location).containsExactly("page.json:entries[0]", "page.json:entries[1]");
    }

    @Test
    void a_truncated_api_response_delivers_what_it_holds_then_fails() {
        String response = "{\"entries\":[{\"id\":\"a\"},{\"id\":\"b\",\"cre";

        Iterator<SourceRecord> it = reader.read(new ByteArrayInputStream(utf8(response)), "page.json", "cockroachdb");

        assertThat(it.next().record().get("id").asText()).isEqualTo("a");
        SourceRecord second = it.next();
        assertThat(second.problem()).contains("truncated or invalid JSON");
        assertThat(it.hasNext()).isFalse();
    }

    @Test
    void an_empty_file_has_no_records() {
        assertThat(read(new byte[0], "empty.csv", "astra")).isEmpty();
    }
}
