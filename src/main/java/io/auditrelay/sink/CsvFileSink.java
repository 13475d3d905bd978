package io.auditrelay.sink;

import io.auditrelay.event.AuditEvent;
import io.auditrelay.mapper.Json;
import io.auditrelay.mapper.Mappers;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Writes {@code audit-YYYY-MM-DD.csv} with a header row and RFC 4180 quoting (CRLF line ends,
 * fields with a comma, quote or line break quoted, quotes doubled); {@code raw} is compact JSON. A NUL or another
 * control character in a value (not tab or a line break) is written as a JSON-style escape (a backslash, u, four hex digits), never raw.
 */
public class CsvFileSink extends DailyFileSink {

    public static final String HEADER = "id,time,received,vendor,action,activity,outcome,actor_id,actor_email,"
            + "resource_type,resource_id,resource_name,org,raw";
    /** What a canonical id looks like: {@code <vendor>:<vendor's id>}, for every vendor with a mapper. */
    private static final Pattern ID = Pattern.compile("^(" + String.join("|", Mappers.vendors()) + "):.+");

    public CsvFileSink(Path dir) {
        super(dir, "audit-", ".csv");
    }

    /** For kamelets/audit-csv-sink.kamelet.yaml (bean factories take strings). */
    public static CsvFileSink inDirectory(String dir) {
        return new CsvFileSink(Path.of(dir));
    }

    @Override
    public String name() {
        return "csv";
    }

    @Override
    protected String line(AuditEvent e) throws IOException {
        StringBuilder line = new StringBuilder(512);
        field(line, e.id());
        field(line, e.time());
        field(line, e.received());
        field(line, e.vendor());
        field(line, e.action());
        field(line, e.activity() == null ? null : e.activity().value());
        field(line, e.outcome() == null ? null : e.outcome().value());
        field(line, e.actor() == null ? null : e.actor().id());
        field(line, e.actor() == null ? null : e.actor().email());
        field(line, e.resource() == null ? null : e.resource().type());
        field(line, e.resource() == null ? null : e.resource().id());
        field(line, e.resource() == null ? null : e.resource().name());
        field(line, e.org());
        field(line, e.raw() == null ? null : Json.MAPPER.writeValueAsString(e.raw()));
        line.setLength(line.length() - 1);
        return line.toString();
    }

    private static void field(StringBuilder line, String value) {
        if (value != null) {
            value = escapeControls(value);
            boolean quote = value.indexOf(',') >= 0 || value.indexOf('"') >= 0
                    || value.indexOf('\n') >= 0 || value.indexOf('\r') >= 0;
            if (quote) {
                line.append('"').append(value.replace("\"", "\"\"")).append('"');
            } else {
                line.append(value);
            }
        }
        line.append(',');
    }

    /** The value with each control character other than tab, CR and LF (and DEL) as a backslash, u and four hex digits. */
    static String escapeControls(String value) {
        int i = 0;
        while (i < value.length() && !control(value.charAt(i))) {
            i++;
        }
        if (i == value.length()) {
            return value;
        }
        StringBuilder out = new StringBuilder(value.length() + 16).append(value, 0, i);
        for (; i < value.length(); i++) {
            char c = value.charAt(i);
            if (control(c)) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static boolean control(char c) {
        return (c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f;
    }

    @Override
    protected String header() {
        return HEADER;
    }

    @Override
    protected String newline() {
        return "\r\n";
    }

    /**
     * Finds the end of the last complete record between {@code from} and {@code to} by following RFC 4180 quoting byte by byte (a
     * {@code '\n'} ends a record only outside quotes; the quote byte never occurs inside a UTF-8 sequence), so a line
     * break inside a quoted field is not taken for the end of a record. The complete records are then read with
     * Commons CSV for their ids.
     */
    @Override
    protected Tail readTail(Path file, long from, long to) throws IOException {
        long end = from;
        boolean quoted = false;
        long position = from;
        byte[] buffer = new byte[65536];
        try (InputStream in = region(file, from, to)) {
            for (int n; (n = in.read(buffer)) > 0; position += n) {
                for (int i = 0; i < n; i++) {
                    if (buffer[i] == '"') {
                        quoted = !quoted;
                    } else if (buffer[i] == '\n' && !quoted) {
                        end = position + i + 1;
                    }
                }
            }
        }
        List<String> ids = new ArrayList<>();
        try (Reader reader = new InputStreamReader(region(file, from, end), StandardCharsets.UTF_8);
             CSVParser records = CSVParser.builder().setReader(reader).setFormat(CSVFormat.RFC4180).get()) {
            for (CSVRecord record : records) {
                String first = record.get(0);
                if (ID.matcher(first).matches()) {
                    ids.add(first);
                }
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        return new Tail(end, ids);
    }
}
