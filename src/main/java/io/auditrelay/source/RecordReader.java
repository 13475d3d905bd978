package io.auditrelay.source;

import io.auditrelay.event.SourceRecord;
import io.auditrelay.mapper.Mappers;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Iterator;
import java.util.List;
import java.util.zip.ZipException;

/**
 * Reads the records of one vendor file or object as a stream, never loading it whole and never keeping more than
 * {@link InputLimits} allow: gzip is detected by its magic bytes (and inflated within the size and ratio limits), a
 * UTF-8 BOM is skipped, and the format is told from the content: JSON lines when the first character is
 * <code>{</code>, a CockroachDB API response ({@code {"entries":[...]}}) for {@code .json} files, CSV with a header
 * otherwise.
 *
 * <p>A record that cannot be parsed or breaks a limit comes out as an {@link SourceRecord#unparsable unparsable}
 * record naming its line or entry, so the rest of the input still flows; when the input cannot be read on (corrupt
 * gzip, a gzip bomb) one last unparsable record covers what is left. An input that cannot be read at all (wrong CSV
 * header, binary, bad gzip at the start) raises {@link UnreadableInputException}.
 */
public class RecordReader {

    private static final int SNIFF_BYTES = 8192;

    private final InputLimits limits;
    private final JsonRecords json;

    public RecordReader() {
        this(InputLimits.DEFAULTS);
    }

    public RecordReader(InputLimits limits) {
        this.limits = limits;
        this.json = new JsonRecords(limits);
    }

    public InputLimits limits() {
        return limits;
    }

    public Iterator<SourceRecord> read(InputStream input, String name, String vendor) {
        boolean gzipped = false;
        try {
            BufferedInputStream in = new BufferedInputStream(input, 65536);
            if (isGzip(in)) {
                gzipped = true;
                in = new BufferedInputStream(BoundedGzip.open(in, limits), 65536);
            } else if (name.endsWith(".gz")) {
                throw new UnreadableInputException("named .gz but is not gzip data");
            }
            byte[] head = peek(in);
            int start = 0;
            if (head.length >= 3 && (head[0] & 0xff) == 0xEF && (head[1] & 0xff) == 0xBB && (head[2] & 0xff) == 0xBF) {
                in.skip(3);
                start = 3;
            }
            if (binary(head, start)) {
                throw new UnreadableInputException("binary content (" + controls(head, start) + " control bytes in the first "
                        + (head.length - start) + ")");
            }
            int first = firstNonWhitespace(head, start);
            if (first < 0) {
                return List.<SourceRecord>of().iterator();
            }
            String base = name.endsWith(".gz") ? name.substring(0, name.length() - 3) : name;
            if (first == '{' && base.endsWith(".json")) {
                return new EntriesRecords(in, json, name, vendor);
            }
            LineSource lines = new LineSource(in, limits.maxRecordBytes());
            if (first == '{') {
                return new JsonLinesRecords(lines, json, name, vendor);
            }
            if (Mappers.forVendor(vendor).csvColumns().isEmpty()) {
                throw new UnreadableInputException("expected JSON lines or a JSON API response, found '" + (char) first + "'");
            }
            return new CsvRecords(lines, limits, name, vendor);
        } catch (IOException e) {
            throw gzipped ? new UnreadableInputException("bad gzip data: " + e.getMessage(), e) : unreadable(e);
        }
    }

    /**
     * The last record of an input that cannot be read on from {@code location}: when the data itself is bad (corrupt
     * gzip, a limit), an unparsable record saying what is not read and why; any other failure (the connection to the
     * object store) is thrown, so the whole input is read again later.
     */
    static SourceRecord cutOff(String vendor, String location, String what, IOException e) {
        if (e instanceof BoundedGzip.LimitExceededException) {
            return SourceRecord.unparsable(vendor, null, location, e.getMessage() + "; " + what);
        }
        if (e instanceof ZipException || e instanceof EOFException) {
            return SourceRecord.unparsable(vendor, null, location, "bad gzip data: " + e.getMessage() + "; " + what);
        }
        throw unreadable(e);
    }

    private static boolean isGzip(BufferedInputStream in) throws IOException {
        in.mark(2);
        int b1 = in.read();
        int b2 = in.read();
        in.reset();
        return b1 == 0x1f && b2 == 0x8b;
    }

    private static byte[] peek(BufferedInputStream in) throws IOException {
        in.mark(SNIFF_BYTES);
        byte[] buffer = in.readNBytes(SNIFF_BYTES);
        in.reset();
        return buffer;
    }

    /**
     * Binary rather than text: more than one byte in 32 of the head is a NUL or another control byte (not tab, line
     * feed, carriage return). A text file with a stray NUL is read, and that record dead-lettered.
     */
    private static boolean binary(byte[] head, int start) {
        int length = head.length - start;
        return length > 0 && controls(head, start) * 32L > length;
    }

    private static int controls(byte[] head, int start) {
        int count = 0;
        for (int i = start; i < head.length; i++) {
            byte b = head[i];
            if (b >= 0 && b < 0x20 && b != '\t' && b != '\n' && b != '\r') {
                count++;
            }
        }
        return count;
    }

    private static int firstNonWhitespace(byte[] head, int start) {
        for (int i = start; i < head.length; i++) {
            if (!Character.isWhitespace(head[i])) {
                return head[i];
            }
        }
        return -1;
    }

    private static UnreadableInputException unreadable(IOException e) {
        if (e instanceof ZipException || e instanceof EOFException) {
            return new UnreadableInputException("bad gzip data: " + e.getMessage(), e);
        }
        return new UnreadableInputException("cannot read: " + e.getMessage(), e);
    }
}
