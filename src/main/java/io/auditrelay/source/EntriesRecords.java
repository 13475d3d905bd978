package io.auditrelay.source;

import io.auditrelay.event.SourceRecord;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * The elements of the {@code entries} array of an API response ({@code {"entries":[...]}}), one at a time. A scanner
 * finds where each entry ends by its brackets and quotes alone (a counter, no recursion, at most
 * {@code relay.input.max-record-bytes} kept), then the entry is parsed on its own within {@link InputLimits}. So an
 * entry that is too large, too deep or not valid JSON is an unparsable record naming its entry and line, and the
 * entries after it are still read. A document that ends inside an entry, or that cannot be read on (corrupt gzip,
 * gzip bomb), ends with one unparsable record from that entry on.
 */
final class EntriesRecords implements Iterator<SourceRecord> {

    private final InputStream in;
    private final JsonRecords json;
    private final long maxBytes;
    private final String name;
    private final String vendor;
    private final byte[] buffer = new byte[65536];
    private int position;
    private int limit;
    private long line = 1;
    private byte[] entry = new byte[1024];
    private int kept;
    private long size;
    private int index;
    private boolean inArray;
    private boolean done;
    private SourceRecord next;

    EntriesRecords(InputStream in, JsonRecords json, String name, String vendor) {
        this.in = in;
        this.json = json;
        this.maxBytes = json.limits().maxRecordBytes();
        this.name = name;
        this.vendor = vendor;
    }

    @Override
    public boolean hasNext() {
        if (next != null) {
            return true;
        }
        if (done) {
            return false;
        }
        long at = line;
        try {
            if (!inArray) {
                enterArray();
            }
            int c = skipWhitespace();
            if (index > 0) {
                if (c == ']') {
                    return end();
                }
                if (c != ',') {
                    next = cutOff(c < 0 ? "the document ends before the entries array is closed"
                            : "expected ',' or ']' after entry " + (index - 1) + " on line " + line + ", found '" + (char) c + "'");
                    done = true;
                    return true;
                }
                c = skipWhitespace();
            }
            if (c == ']') {
                return end();
            }
            if (c < 0) {
                next = cutOff("the document ends before the entries array is closed");
                done = true;
                return true;
            }
            at = line;
            next = entry(c, at);
            index++;
            return true;
        } catch (IOException e) {
            next = RecordReader.cutOff(vendor, name + ":entries[" + index + "..]", "entries " + index
                    + " and after (from line " + at + ") are not read", e);
            done = true;
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

    private boolean end() {
        done = true;
        return false;
    }

    private SourceRecord cutOff(String why) {
        return SourceRecord.unparsable(vendor, null, name + ":entries[" + index + "..]",
                "truncated or invalid JSON: " + why + " (entries " + index + " and after, from line " + line + ")");
    }

    /** Reads the entry that starts with {@code first}, then parses it on its own. */
    private SourceRecord entry(int first, long startLine) throws IOException {
        kept = 0;
        size = 0;
        String location = name + ":entries[" + index + "]";
        boolean complete = value(first, true);
        String prefix = LineSource.lenient(entry, 0, Math.min(kept, LineSource.PREFIX));
        if (!complete) {
            done = true;
            return SourceRecord.unparsable(vendor, prefix, location, "truncated or invalid JSON: the document ends"
                    + " inside entry " + index + " (from line " + startLine + ")");
        }
        if (size > maxBytes) {
            return SourceRecord.unparsable(vendor, prefix, location, "entry " + index + " (line " + startLine
                    + ") is larger than relay.input.max-record-bytes (" + maxBytes + " bytes); not parsed");
        }
        SourceRecord record = json.parse(vendor, Arrays.copyOf(entry, kept), location);
        if (record.problem() != null) {
            return SourceRecord.unparsable(vendor, record.text(), location, record.problem() + " (entry " + index
                    + ", line " + startLine + ")");
        }
        if (entry.length > 65536 * 4) {
            entry = new byte[1024];
        }
        return record;
    }

    /**
     * Goes over one JSON value starting with {@code first}, keeping it when {@code keep}; false when the input ended
     * inside it. Scalars end before the next ',', ']' or '}' (which is left to be read).
     */
    private boolean value(int first, boolean keep) throws IOException {
        keep(first, keep);
        if (first == '{' || first == '[') {
            long depth = 1;
            boolean string = false;
            boolean escape = false;
            while (depth > 0) {
                int b = read();
                if (b < 0) {
                    return false;
                }
                keep(b, keep);
                if (string) {
                    if (escape) {
                        escape = false;
                    } else if (b == '\\') {
                        escape = true;
                    } else if (b == '"') {
                        string = false;
                    }
                } else if (b == '"') {
                    string = true;
                } else if (b == '{' || b == '[') {
                    depth++;
                } else if (b == '}' || b == ']') {
                    depth--;
                }
            }
            return true;
        }
        if (first == '"') {
            boolean escape = false;
            while (true) {
                int b = read();
                if (b < 0) {
                    return false;
                }
                keep(b, keep);
                if (escape) {
                    escape = false;
                } else if (b == '\\') {
                    escape = true;
                } else if (b == '"') {
                    return true;
                }
            }
        }
        while (true) {
            int b = peek();
            if (b < 0 || b == ',' || b == ']' || b == '}' || isWhitespace(b)) {
                return true;
            }
            keep(read(), keep);
        }
    }

    private void keep(int b, boolean keep) {
        if (!keep) {
            return;
        }
        size++;
        if (size > maxBytes) {
            return;
        }
        if (kept == entry.length) {
            entry = Arrays.copyOf(entry, (int) Math.min(entry.length * 2L, Math.min(maxBytes, Integer.MAX_VALUE - 16)));
        }
        entry[kept++] = (byte) b;
    }

    /** Finds the {@code entries} array of the top-level object, skipping the members before it. */
    private void enterArray() throws IOException {
        if (skipWhitespace() != '{') {
            throw new UnreadableInputException("expected a JSON object with an \"entries\" array");
        }
        while (true) {
            int c = skipWhitespace();
            if (c == ',') {
                c = skipWhitespace();
            }
            if (c == '}' || c < 0) {
                throw new UnreadableInputException("no \"entries\" array in the response");
            }
            if (c != '"') {
                throw new UnreadableInputException("expected a member name in the response, found '" + (char) c + "' on line " + line);
            }
            kept = 0;
            size = 0;
            if (!value(c, true)) {
                throw new UnreadableInputException("truncated JSON response");
            }
            String member = LineSource.lenient(entry, 0, Math.min(kept, 1024));
            if (skipWhitespace() != ':') {
                throw new UnreadableInputException("expected ':' after " + member + " on line " + line);
            }
            int value = skipWhitespace();
            if (member.equals("\"entries\"")) {
                if (value != '[') {
                    throw new UnreadableInputException("\"entries\" is not an array");
                }
                inArray = true;
                return;
            }
            if (value < 0 || !value(value, false)) {
                throw new UnreadableInputException("truncated JSON response");
            }
        }
    }

    private int skipWhitespace() throws IOException {
        while (true) {
            int b = read();
            if (b < 0 || !isWhitespace(b)) {
                return b;
            }
        }
    }

    private static boolean isWhitespace(int b) {
        return b == ' ' || b == '\n' || b == '\r' || b == '\t';
    }

    private int peek() throws IOException {
        if (position == limit && !fill()) {
            return -1;
        }
        return buffer[position] & 0xff;
    }

    private int read() throws IOException {
        if (position == limit && !fill()) {
            return -1;
        }
        int b = buffer[position++] & 0xff;
        if (b == '\n') {
            line++;
        }
        return b;
    }

    private boolean fill() throws IOException {
        int n = in.read(buffer, 0, buffer.length);
        position = 0;
        limit = Math.max(n, 0);
        return n > 0;
    }
}
