package io.auditrelay.source;

import io.auditrelay.event.SourceRecord;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Hostile input, reader by reader: every record that breaks a limit or cannot be parsed comes out as one unparsable
 * record naming its lines or entry and the reason, and the good records before and after it come out once each.
 */
class HostileInputTest {

    private static final String ASTRA_HEADER = "typename,actionResult,userID,event,eventTime,eventType";
    private static final String AIRKIT_HEADER = "ORGANIZATION_ID,EVENT_ID,EVENT_TIME,EVENT_TYPE";

    private static List<SourceRecord> read(RecordReader reader, InputStream in, String name, String vendor) {
        List<SourceRecord> out = new ArrayList<>();
        Iterator<SourceRecord> it = reader.read(in, name, vendor);
        while (it.hasNext()) {
            out.add(it.next());
        }
        return out;
    }

    private static List<SourceRecord> read(String text, String name, String vendor) {
        return read(new RecordReader(), new ByteArrayInputStream(utf8(text)), name, vendor);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] gzip(byte[] bytes) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(bytes);
        }
        return out.toByteArray();
    }

    private static List<String> good(List<SourceRecord> records, String field) {
        return records.stream().filter(r -> r.problem() == null).map(r -> r.record().path(field).asText()).toList();
    }

    private static List<SourceRecord> bad(List<SourceRecord> records) {
        return records.stream().filter(r -> r.problem() != null).toList();
    }

    private static String jsonl(String... ids) {
        StringBuilder out = new StringBuilder();
        for (String id : ids) {
            out.append("{\"id\":\"").append(id).append("\"}\n");
        }
        return out.toString();
    }

    private static String astraRow(String user) {
        return "AuditEvent,SUCCESS," + user + ",\"{\"\"orgId\"\":\"\"o-1\"\",\"\"note\"\":\"\"a, b\"\"}\",2024-05-02T09:15:32.481Z,DB_CREATED\n";
    }

    /** {@code size} bytes of {@code fill}, generated as they are read (never in memory). */
    private static InputStream repeated(byte fill, long size) {
        return new InputStream() {
            long left = size;

            @Override
            public int read() {
                if (left <= 0) {
                    return -1;
                }
                left--;
                return fill;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (left <= 0) {
                    return -1;
                }
                int n = (int) Math.min(len, left);
                Arrays.fill(b, off, off + n, fill);
                left -= n;
                return n;
            }
        };
    }

    private static InputStream concat(InputStream... parts) {
        return new SequenceInputStream(Collections.enumeration(List.of(parts)));
    }

    @Test
    void a_gzip_bomb_is_stopped_while_it_inflates_and_the_lines_before_it_are_delivered() throws IOException {
        // 2 GiB of one endless line, as 256 gzip members of 8 MiB each (about 2 MB on the wire): read by the ratio
        byte[] member = gzip(repeated((byte) 'a', 8 * InputLimits.MIB).readAllBytes());
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        file.writeBytes(gzip(utf8(jsonl("a", "b", "c"))));
        for (int i = 0; i < 256; i++) {
            file.writeBytes(member);
        }
        InputStream bomb = new ByteArrayInputStream(file.toByteArray());

        List<SourceRecord> records = read(new RecordReader(), bomb, "bomb.ndjson.gz", "airkit");

        assertThat(good(records, "id")).containsExactly("a", "b", "c");
        assertThat(bad(records)).singleElement().satisfies(r -> {
            assertThat(r.location()).isEqualTo("bomb.ndjson.gz:4-");
            assertThat(r.problem()).contains("relay.input.max-compression-ratio").contains("lines 4 and after are not read");
        });
    }

    @Test
    void gzipped_input_over_the_decompressed_size_is_cut_off_there() throws IOException {
        InputLimits small = new InputLimits(InputLimits.MIB, InputLimits.MIB, 100, 2 * InputLimits.MIB, 1_000_000, 50);
        StringBuilder csv = new StringBuilder(AIRKIT_HEADER + "\n");
        for (int i = 0; i < 100_000; i++) {
            csv.append("org-1,evt-").append(i).append(",2024-06-01 10:00:01.250,user_login\n");
        }

        List<SourceRecord> records = read(new RecordReader(small), new ByteArrayInputStream(gzip(utf8(csv.toString()))),
                "airkit.csv.gz", "airkit");

        List<String> ids = good(records, "EVENT_ID");
        assertThat(ids).hasSizeBetween(1000, 99_999);
        assertThat(ids.get(ids.size() - 1)).isEqualTo("evt-" + (ids.size() - 1));
        SourceRecord cut = records.get(records.size() - 1);
        assertThat(cut.problem()).contains("relay.input.max-decompressed-bytes").contains("and after are not read");
        assertThat(cut.location()).isEqualTo("airkit.csv.gz:" + (ids.size() + 2) + "-");
        assertThat(bad(records)).hasSize(1);
    }

    @Test
    void corrupt_gzip_after_good_lines_dead_letters_from_there() throws IOException {
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < 20_000; i++) {
            lines.append("{\"id\":\"e").append(i).append("\",\"pad\":\"").append(Integer.toHexString(i * 7919)).append("\"}\n");
        }
        byte[] body = gzip(utf8(lines.toString()));
        byte[] corrupt = body.clone();
        for (int i = body.length / 2; i < body.length / 2 + 64; i++) {
            corrupt[i] = (byte) 0xff;
        }

        List<SourceRecord> records = read(new RecordReader(), new ByteArrayInputStream(corrupt), "cut.jsonl.gz", "conduktor");

        assertThat(good(records, "id")).contains("e0", "e1", "e2");
        SourceRecord last = records.get(records.size() - 1);
        assertThat(last.problem()).startsWith("bad gzip data").contains("and after are not read");
        assertThat(last.location()).matches("cut\\.jsonl\\.gz:\\d+-");
    }

    @Test
    void a_300_mb_json_line_is_skipped_as_it_streams_and_the_lines_around_it_flow() {
        InputStream in = concat(new ByteArrayInputStream(utf8(jsonl("a") + "{\"id\":\"huge\",\"data\":\"")),
                repeated((byte) 'x', 300 * InputLimits.MIB), new ByteArrayInputStream(utf8("\"}\n" + jsonl("b"))));
        long before = usedHeap();

        List<SourceRecord> records = read(new RecordReader(), in, "big.jsonl", "conduktor");

        assertThat(usedHeap() - before).as("heap growth").isLessThan(100 * InputLimits.MIB);
        assertThat(good(records, "id")).containsExactly("a", "b");
        assertThat(bad(records)).singleElement().satisfies(r -> {
            assertThat(r.location()).isEqualTo("big.jsonl:2");
            assertThat(r.problem()).contains("line 2 is longer than relay.input.max-record-bytes");
            assertThat(r.text()).startsWith("{\"id\":\"huge\"").hasSizeLessThanOrEqualTo(LineSource.PREFIX);
        });
    }

    private static long usedHeap() {
        Runtime runtime = Runtime.getRuntime();
        return runtime.totalMemory() - runtime.freeMemory();
    }

    @Test
    void an_astra_row_holding_a_50_mb_event_is_dead_lettered_and_the_rows_around_it_flow() {
        InputStream in = concat(new ByteArrayInputStream(utf8(ASTRA_HEADER + "\n" + astraRow("u-1")
                        + "AuditEvent,SUCCESS,u-big,\"{\"\"x\"\":\"\"")),
                repeated((byte) 'y', 50 * InputLimits.MIB),
                new ByteArrayInputStream(utf8("\"\"}\",2024-05-02T09:15:32.481Z,DB_CREATED\n" + astraRow("u-3"))));

        List<SourceRecord> records = read(new RecordReader(), in, "export.csv", "astra");

        assertThat(good(records, "userID")).containsExactly("u-1", "u-3");
        assertThat(bad(records)).singleElement().satisfies(r -> {
            assertThat(r.location()).isEqualTo("export.csv:3");
            assertThat(r.problem()).contains("line 3 is longer than relay.input.max-record-bytes");
        });
    }

    @Test
    void an_unbalanced_quote_in_an_astra_export_loses_only_its_row() {
        StringBuilder csv = new StringBuilder(ASTRA_HEADER + "\r\n" + astraRow("u-1").replace("\n", "\r\n"));
        csv.append("AuditEvent,SUCCESS,u-broken,\"{\"\"orgId\"\":\"\"o-1,2024-05-02T09:15:32.481Z,DB_CREATED\r\n");
        for (int i = 3; i <= 20; i++) {
            csv.append(astraRow("u-" + i).replace("\n", "\r\n"));
        }

        List<SourceRecord> records = read(csv.toString(), "export.csv", "astra");

        List<String> expected = new ArrayList<>(List.of("u-1"));
        for (int i = 3; i <= 20; i++) {
            expected.add("u-" + i);
        }
        assertThat(good(records, "userID")).containsExactlyElementsOf(expected);
        assertThat(bad(records)).singleElement().satisfies(r -> {
            assertThat(r.location()).isEqualTo("export.csv:3");
            assertThat(r.problem()).contains("unbalanced quote").contains("line 3");
            assertThat(r.text()).contains("u-broken");
        });
        assertThat(records.get(1).location()).isEqualTo("export.csv:3");
    }

    @Test
    void an_unbalanced_quote_in_an_airkit_csv_that_never_closes_loses_only_its_row() {
        String csv = AIRKIT_HEADER + "\n"
                + "org-1,evt-1,2024-06-01 10:00:01.250,user_login\n"
                + "org-1,\"evt-2,2024-06-01 10:00:02.250,user_login\n"
                + "org-1,evt-3,2024-06-01 10:00:03.250,user_login\n"
                + "org-1,evt-4,2024-06-01 10:00:04.250,user_login\n";

        List<SourceRecord> records = read(csv, "airkit.csv", "airkit");

        assertThat(good(records, "EVENT_ID")).containsExactly("evt-1", "evt-3", "evt-4");
        assertThat(bad(records)).singleElement().satisfies(r -> {
            assertThat(r.location()).isEqualTo("airkit.csv:3");
            assertThat(r.problem()).contains("unbalanced quote").contains("never closed");
        });
    }

    @Test
    void lines_swallowed_by_a_broken_quote_are_dead_lettered_together_with_their_line_numbers() {
        String csv = AIRKIT_HEADER + "\n"
                + "org-1,evt-1,2024-06-01 10:00:01.250,user_login\n"
                + "org-1,\"evt-2\"x,2024-06-01 10:00:02.250,user_login\n"
                + "continued\",\n"
                + "org-1,evt-3,2024-06-01 10:00:03.250,user_login\n";

        List<SourceRecord> records = read(csv, "airkit.csv", "airkit");

        assertThat(good(records, "EVENT_ID")).containsExactly("evt-1", "evt-3");
        assertThat(bad(records)).singleElement().satisfies(r -> {
            assertThat(r.location()).isEqualTo("airkit.csv:3-4");
            assertThat(r.problem()).contains("lines 3-4");
            assertThat(r.text()).contains("evt-2").contains("continued");
        });
    }

    @Test
    void a_deeply_nested_entry_of_an_api_response_is_dead_lettered_and_the_entries_after_it_flow() {
        String deep = "[".repeat(100_000) + "]".repeat(100_000);
        String response = "{\"entries\":[\n{\"id\":\"a\"},\n{\"id\":\"deep\",\"payload\":" + deep + "},\n{\"id\":\"b\"},\n"
                + "{\"id\":\"c\"},{\"id\":\"d\"}],\"next_starting_from\":\"2022-10-09T02:40:35.054818Z\"}";

        List<SourceRecord> records = read(response, "page.json", "cockroachdb");

        assertThat(good(records, "id")).containsExactly("a", "b", "c", "d");
        assertThat(bad(records)).singleElement().satisfies(r -> {
            assertThat(r.location()).isEqualTo("page.json:entries[1]");
            assertThat(r.problem()).contains("nesting depth").contains("entry 1, line 3");
        });
        assertThat(records).extracting(SourceRecord::location).containsExactly("page.json:entries[0]",
                "page.json:entries[1]", "page.json:entries[2]", "page.json:entries[3]", "page.json:entries[4]");
    }

    @Test
    void an_entry_over_the_record_limit_or_not_json_is_dead_lettered_alone() {
        InputLimits small = new InputLimits(1024, 1024, 100, InputLimits.MIB, 200, 50);
        String response = "{\"next_starting_from\":null,\"entries\":[{\"id\":\"a\"},{\"id\":\"big\",\"x\":\""
                + "z".repeat(5000) + "\"},{\"id\":\"b\",\"x\":tru},\"str\",{\"id\":\"c\"}]}";

        List<SourceRecord> records = read(new RecordReader(small), new ByteArrayInputStream(utf8(response)), "p.json", "cockroachdb");

        assertThat(good(records, "id")).containsExactly("a", "c");
        assertThat(bad(records)).extracting(SourceRecord::location)
                .containsExactly("p.json:entries[1]", "p.json:entries[2]", "p.json:entries[3]");
        assertThat(bad(records).get(0).problem()).contains("larger than relay.input.max-record-bytes (1024 bytes)");
        assertThat(bad(records).get(1).problem()).startsWith("not valid JSON");
        assertThat(bad(records).get(2).problem()).startsWith("not a JSON object");
    }

    @Test
    void a_bad_line_in_the_middle_of_json_lines_of_every_vendor_is_alone_dead_lettered() {
        for (String vendor : List.of("conduktor", "cockroachdb", "astra", "airkit")) {
            String lines = jsonl("a") + "{\"id\":\"b\",\"nested\":" + "[".repeat(10_000) + "]".repeat(10_000) + "}\n"
                    + "{\"id\":broken\n" + jsonl("c");

            List<SourceRecord> records = read(lines, vendor + ".jsonl", vendor);

            assertThat(good(records, "id")).as(vendor).containsExactly("a", "c");
            assertThat(bad(records)).as(vendor).extracting(SourceRecord::location)
                    .containsExactly(vendor + ".jsonl:2", vendor + ".jsonl:3");
            assertThat(bad(records).get(0).problem()).contains("nesting depth");
        }
    }

    @Test
    void invalid_utf8_and_control_bytes_are_dead_lettered_with_their_line_never_replaced() {
        ByteArrayOutputStream csv = new ByteArrayOutputStream();
        csv.writeBytes(utf8(AIRKIT_HEADER + "\norg-1,evt-1,2024-06-01 10:00:01.250,user_login\n"));
        csv.writeBytes(utf8("org-1,evt-"));
        csv.writeBytes(new byte[]{(byte) 0xC3, (byte) 0x28});
        csv.writeBytes(utf8(",2024-06-01 10:00:02.250,user_login\n"));
        csv.writeBytes(utf8("org-1,evt-3,2024-06-01 10:00:03.250,user_login\n"));
        csv.writeBytes(utf8("org-1,evt-\u00004,2024-06-01 10:00:04.250,user_login\n"));
        csv.writeBytes(utf8("org-1,evt-\u001b5,2024-06-01 10:00:05.250,user_login\n"));
        csv.writeBytes(utf8("org-1,evt-6 \u00e9\u4e2d\ud83d\ude00,2024-06-01 10:00:06.250,user_login\n"));

        List<SourceRecord> records = read(new RecordReader(), new ByteArrayInputStream(csv.toByteArray()), "a.csv", "airkit");

        assertThat(good(records, "EVENT_ID")).containsExactly("evt-1", "evt-3", "evt-6 \u00e9\u4e2d\ud83d\ude00");
        List<SourceRecord> bad = bad(records);
        assertThat(bad).extracting(SourceRecord::location).containsExactly("a.csv:3", "a.csv:5-6");
        assertThat(bad.get(0).problem()).isEqualTo("invalid UTF-8 at byte 11 of line 3");
        assertThat(bad.get(1).problem()).startsWith("NUL byte at byte 11 of line 5");

        byte[] jsonl = utf8(jsonl("a") + "{\"id\":\"b\u0007\"}\n" + jsonl("c"));
        List<SourceRecord> json = read(new RecordReader(), new ByteArrayInputStream(jsonl), "x.jsonl", "conduktor");
        assertThat(good(json, "id")).containsExactly("a", "c");
        assertThat(bad(json)).singleElement().satisfies(r ->
                assertThat(r.problem()).isEqualTo("control character U+0007 at byte 9 of line 2"));
    }

    @Test
    void csv_fields_and_columns_are_bounded() {
        InputLimits small = new InputLimits(InputLimits.MIB, 100, 10, InputLimits.MIB, 200, 50);
        String csv = AIRKIT_HEADER + "\n"
                + "org-1,evt-1,2024-06-01 10:00:01.250,user_login\n"
                + "org-1,evt-" + "x".repeat(200) + ",2024-06-01 10:00:02.250,user_login\n"
                + "org-1" + ",".repeat(50) + "\n"
                + "org-1,evt-4,2024-06-01 10:00:04.250,user_login\n";

        List<SourceRecord> records = read(new RecordReader(small), new ByteArrayInputStream(utf8(csv)), "a.csv", "airkit");

        assertThat(good(records, "EVENT_ID")).containsExactly("evt-1", "evt-4");
        assertThat(bad(records)).singleElement().satisfies(r -> {
            assertThat(r.location()).isEqualTo("a.csv:3-4");
            assertThat(r.problem()).contains("relay.input.max-field-length (100 characters)");
        });
        assertThatThrownBy(() -> read(new RecordReader(small),
                new ByteArrayInputStream(utf8(AIRKIT_HEADER + ",".repeat(50) + "\n")), "b.csv", "airkit"))
                .isInstanceOf(UnreadableInputException.class).hasMessageContaining("relay.input.max-columns (10)");
    }
}
