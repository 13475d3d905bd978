package io.auditrelay.source;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.auditrelay.event.SourceRecord;
import io.auditrelay.mapper.Json;
import io.auditrelay.mapper.Mappers;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.TreeSet;

/**
 * CSV with a header row (RFC 4180: quoted fields with commas, doubled quotes and line breaks; CRLF or LF; blank lines
 * between records skipped), read record by record within {@link InputLimits} (record bytes, field length, columns).
 *
 * <p>A record that cannot be read (an unbalanced quote, a wrong number of fields, a limit, invalid UTF-8 or a control
 * byte) is not the end of the file: its first line is given up, and reading starts again at the next line, and the next,
 * until a line starts a good record. The lines given up come out as one unparsable record naming them
 * ({@code file:first-last}) and the first reason; the good records before and after flow as usual. The lines a failed
 * attempt read past its first are kept (at most one record's worth) to be read again.
 */
final class CsvRecords implements Iterator<SourceRecord> {

    /** How much of the lines given up in one stretch is kept for the dead-letter store. */
    private static final int MAX_RAW = 65536;

    /** One attempt at a record from the next line on: its fields, or the reason it is not a record. */
    private record Attempt(List<String> fields, List<LineSource.Line> lines, String problem) {
        LineSource.Line first() {
            return lines.get(0);
        }
    }

    private final LineSource lines;
    private final InputLimits limits;
    private final String name;
    private final String vendor;
    private final List<String> header;
    private final Deque<LineSource.Line> again = new ArrayDeque<>();
    private SourceRecord next;
    private SourceRecord afterSpan;
    private boolean finished;

    CsvRecords(LineSource lines, InputLimits limits, String name, String vendor) throws IOException {
        this.lines = lines;
        this.limits = limits;
        this.name = name;
        this.vendor = vendor;
        Attempt head = attempt(-1);
        if (head == null) {
            throw new UnreadableInputException("no CSV header");
        }
        if (head.problem() != null) {
            throw new UnreadableInputException("unreadable CSV header: " + head.problem());
        }
        this.header = head.fields();
        Set<String> present = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
        present.addAll(header);
        List<String> missing = Mappers.forVendor(vendor).csvColumns().stream().filter(c -> !present.contains(c)).toList();
        if (!missing.isEmpty() && header.stream().anyMatch(f -> f.indexOf('\r') >= 0)) {
            // lines end at LF (or CRLF): a file whose lines end with a bare CR reads as one line
            throw new UnreadableInputException("wrong CSV header for " + vendor + ": its lines end with a bare CR"
                    + " (\\r); save the file with LF or CRLF line endings");
        }
        if (!missing.isEmpty()) {
            throw new UnreadableInputException("wrong CSV header for " + vendor + ": missing " + missing
                    + " (found " + header + ")");
        }
    }

    @Override
    public boolean hasNext() {
        if (next != null) {
            return true;
        }
        if (afterSpan != null) {
            next = afterSpan;
            afterSpan = null;
            return true;
        }
        if (finished) {
            return false;
        }
        long from = again.isEmpty() ? lines.lineNumber() + 1 : again.peekFirst().number();
        try {
            Attempt attempt = attempt(header.size());
            if (attempt == null) {
                finished = true;
                return false;
            }
            if (attempt.problem() == null) {
                next = record(attempt);
                return true;
            }
            next = giveUp(attempt);
            return true;
        } catch (IOException e) {
            next = RecordReader.cutOff(vendor, name + ":" + from + "-", "lines " + from + " and after are not read", e);
            finished = true;
            return true;
        }
    }

    @Override
    public SourceRecord next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        SourceRecord out = next;
        next = null;
        return out;
    }

    /**
     * The failed attempt's first line is given up; the lines after it are tried as the start of a record one by one,
     * each that fails given up too, until one starts a good record (kept for the next call) or the input ends.
     */
    private SourceRecord giveUp(Attempt failed) throws IOException {
        long first = failed.first().number();
        long last = first;
        String reason = failed.problem();
        StringBuilder raw = new StringBuilder();
        append(raw, failed.first());
        readAgain(failed);
        while (true) {
            Attempt attempt;
            try {
                attempt = attempt(header.size());
            } catch (IOException e) {
                finished = true;
                return RecordReader.cutOff(vendor, name + ":" + first + "-", "lines " + first + " and after are not read ("
                        + reason + ")", e);
            }
            if (attempt == null) {
                finished = true;
                break;
            }
            if (attempt.problem() == null) {
                afterSpan = record(attempt);
                break;
            }
            last = attempt.first().number();
            append(raw, attempt.first());
            readAgain(attempt);
        }
        String location = first == last ? name + ":" + first : name + ":" + first + "-" + last;
        String problem = first == last ? reason : reason + "; lines " + first + "-" + last + " are given up, reading goes"
                + " on at the next line that starts a record";
        return SourceRecord.unparsable(vendor, raw.toString(), location, problem);
    }

    private static void append(StringBuilder raw, LineSource.Line line) {
        if (raw.length() >= MAX_RAW) {
            return;
        }
        if (!raw.isEmpty()) {
            raw.append('\n');
        }
        String text = line.text();
        raw.append(text, 0, Math.min(text.length(), MAX_RAW - raw.length()));
    }

    /** The lines an attempt read after its first are read again, in order, before any new line. */
    private void readAgain(Attempt attempt) {
        List<LineSource.Line> used = attempt.lines();
        for (int i = used.size() - 1; i >= 1; i--) {
            again.addFirst(used.get(i));
        }
    }

    private LineSource.Line nextLine() throws IOException {
        return again.isEmpty() ? lines.next() : again.pollFirst();
    }

    private SourceRecord record(Attempt attempt) {
        ObjectNode object = Json.MAPPER.createObjectNode();
        List<String> fields = attempt.fields();
        for (int i = 0; i < header.size(); i++) {
            object.put(header.get(i), fields.get(i));
        }
        return SourceRecord.parsed(vendor, object, object.toString(), name + ":" + attempt.first().number());
    }

    private static final int FIELD_START = 0;
    private static final int UNQUOTED = 1;
    private static final int QUOTED = 2;
    private static final int AFTER_QUOTE = 3;

    /**
     * Reads one record from the next line that is not blank; null at the end of the input. With {@code expected} >= 0
     * a record with another number of fields is a failed attempt.
     */
    private Attempt attempt(int expected) throws IOException {
        LineSource.Line line;
        do {
            line = nextLine();
        } while (line != null && line.blank());
        if (line == null) {
            return null;
        }
        List<LineSource.Line> used = new ArrayList<>(1);
        used.add(line);
        if (line.problem() != null) {
            return new Attempt(null, used, line.problem());
        }
        long start = line.number();
        long bytes = line.bytes();
        long openedOn = start;
        List<String> fields = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        String text = line.text();
        int length = text.length();
        int i = 0;
        int state = FIELD_START;
        while (true) {
            if (i == length) {
                if (state != QUOTED) {
                    fields.add(field.toString());
                    break;
                }
                LineSource.Line more = nextLine();
                if (more == null) {
                    return new Attempt(null, used, "unbalanced quote: the quoted field opened on line " + openedOn
                            + " is never closed");
                }
                used.add(more);
                bytes += more.bytes() + 1;
                if (more.problem() != null) {
                    return new Attempt(null, used, "unbalanced quote: the quoted field opened on line " + openedOn
                            + " runs into line " + more.number() + " (" + more.problem() + ")");
                }
                if (bytes > limits.maxRecordBytes()) {
                    return new Attempt(null, used, "the record from line " + start + " (a quoted field opened on line "
                            + openedOn + ") is longer than relay.input.max-record-bytes (" + limits.maxRecordBytes()
                            + " bytes): an unbalanced quote?");
                }
                if (field.length() > limits.maxFieldLength()) {
                    return new Attempt(null, used, fieldTooLong(fields.size() + 1, start));
                }
                field.append('\n');
                text = more.text();
                length = text.length();
                i = 0;
                continue;
            }
            if (state == QUOTED) {
                int quote = text.indexOf('"', i);
                if (quote < 0) {
                    field.append(text, i, length);
                    i = length;
                    continue;
                }
                field.append(text, i, quote);
                i = quote + 1;
                if (i < length && text.charAt(i) == '"') {
                    field.append('"');
                    i++;
                } else {
                    state = AFTER_QUOTE;
                }
                continue;
            }
            if (state == AFTER_QUOTE) {
                char c = text.charAt(i++);
                if (c == '\r' && i == length) {
                    continue; // CRLF after the closing quote
                }
                if (c != ',') {
                    return new Attempt(null, used, "unbalanced quote: the quoted field opened on line " + openedOn
                            + " is closed by a quote followed by '" + c + "' on line " + used.get(used.size() - 1).number());
                }
                state = FIELD_START;
            } else if (state == FIELD_START && text.charAt(i) == '"') {
                state = QUOTED;
                openedOn = used.get(used.size() - 1).number();
                i++;
                continue;
            } else {
                // unquoted: up to the next comma or the end of the line (without a CR before it); a quote is a quote
                int comma = text.indexOf(',', i);
                int stop = comma < 0 ? length : comma;
                if (comma < 0 && stop > i && text.charAt(stop - 1) == '\r') {
                    stop--;
                }
                field.append(text, i, stop);
                if (comma < 0) {
                    i = length;
                    state = UNQUOTED;
                    continue;
                }
                i = comma + 1;
                state = FIELD_START;
            }
            // a comma ended the field
            if (field.length() > limits.maxFieldLength()) {
                return new Attempt(null, used, fieldTooLong(fields.size() + 1, start));
            }
            fields.add(field.toString());
            field.setLength(0);
            if (fields.size() >= limits.maxColumns()) {
                return new Attempt(null, used, "the record on line " + start + " has more than relay.input.max-columns ("
                        + limits.maxColumns() + ") fields");
            }
        }
        if (field.length() > limits.maxFieldLength()) {
            return new Attempt(null, used, fieldTooLong(fields.size(), start));
        }
        if (expected >= 0 && fields.size() != expected) {
            return new Attempt(null, used, "CSV row has " + fields.size() + " fields, the header has " + expected);
        }
        return new Attempt(fields, used, null);
    }

    private String fieldTooLong(int field, long line) {
        return "field " + field + " of the record on line " + line + " is longer than relay.input.max-field-length ("
                + limits.maxFieldLength() + " characters)";
    }
}
