package io.auditrelay.source;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.auditrelay.mapper.Json;
import io.auditrelay.mapper.Mappers;
import io.auditrelay.spine.Normalizer;
import io.auditrelay.event.SourceRecord;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.TreeSet;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads the records of one vendor file or object as a stream, never loading it whole:
 * gzip is detected by its magic bytes, a UTF-8 BOM is skipped, and the format is told from the
 * content: JSON lines when the first character is <code>{</code>, a CockroachDB API response
 * ({@code {"entries":[...]}}) for {@code .json} files, CSV with a header otherwise.
 *
 * <p>A record that cannot be parsed comes out as an {@link SourceRecord#unparsable unparsable}
 * record, so the rest of the input still flows; an input that cannot be read at all raises
 * {@link UnreadableInputException}.
 */
public class RecordReader {

    private static final int SNIFF_BYTES = 8192;

    public Iterator<SourceRecord> read(InputStream input, String name, String vendor) {
        boolean gzipped = false;
        try {
            BufferedInputStream in = new BufferedInputStream(input, 65536);
            if (isGzip(in)) {
                gzipped = true;
                in = new BufferedInputStream(new GZIPInputStream(in, 65536), 65536);
            } else if (name.endsWith(".gz")) {
                throw new UnreadableInputException("named .gz but is not gzip data");
            }
            byte[] head = peek(in);
            int start = 0;
            if (head.length >= 3 && (head[0] & 0xff) == 0xEF && (head[1] & 0xff) == 0xBB && (head[2] & 0xff) == 0xBF) {
                in.skip(3);
                start = 3;
            }
            for (int i = start; i < head.length; i++) {
                if (head[i] == 0) {
                    throw new UnreadableInputException("binary content (NUL byte at offset " + i + ")");
                }
            }
            int first = firstNonWhitespace(head, start);
            if (first < 0) {
                return List.<SourceRecord>of().iterator();
            }
            String base = name.endsWith(".gz") ? name.substring(0, name.length() - 3) : name;
            if (first == '{' && base.endsWith(".json")) {
                return new EntriesIterator(in, name, vendor);
            }
            if (first == '{') {
                return new JsonLinesIterator(reader(in), name, vendor);
            }
            if (Mappers.forVendor(vendor).csvColumns().isEmpty()) {
                throw new UnreadableInputException("expected JSON lines or a JSON API response, found '" + (char) first + "'");
            }
            return new CsvIterator(reader(in), name, vendor);
        } catch (IOException e) {
            throw gzipped ? new UnreadableInputException("bad gzip data: " + e.getMessage(), e) : unreadable(e);
        }
    }

    private static BufferedReader reader(InputStream in) {
        return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 65536);
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

    private static int firstNonWhitespace(byte[] head, int start) {
        for (int i = start; i < head.length; i++) {
            if (!Character.isWhitespace(head[i])) {
                return head[i];
            }
        }
        return -1;
    }

    private static UnreadableInputException unreadable(IOException e) {
        if (e instanceof ZipException || e instanceof java.io.EOFException) {
            return new UnreadableInputException("bad gzip data: " + e.getMessage(), e);
        }
        return new UnreadableInputException("cannot read: " + e.getMessage(), e);
    }

    /** One JSON object per line; blank lines are skipped. */
    private static final class JsonLinesIterator implements Iterator<SourceRecord> {
        private final BufferedReader reader;
        private final String name;
        private final String vendor;
        private SourceRecord next;
        private long lineNumber;
        private boolean finished;

        JsonLinesIterator(BufferedReader reader, String name, String vendor) {
            this.reader = reader;
            this.name = name;
            this.vendor = vendor;
        }

        @Override
        public boolean hasNext() {
            if (next != null) {
                return true;
            }
            if (finished) {
                return false;
            }
            try {
                String line;
                while ((line = reader.readLine()) != null) {
                    lineNumber++;
                    if (!line.isBlank()) {
                        next = Normalizer.parse(vendor, line, name + ":" + lineNumber);
                        return true;
                    }
                }
                finished = true;
                reader.close();
                return false;
            } catch (IOException e) {
                throw unreadable(e);
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
    }

    /** The elements of the {@code entries} array of an API response, parsed one at a time. */
    private static final class EntriesIterator implements Iterator<SourceRecord> {
        private final JsonParser parser;
        private final String name;
        private final String vendor;
        private int index;
        private boolean inArray;
        private boolean ready;
        private boolean done;

        EntriesIterator(InputStream in, String name, String vendor) throws IOException {
            this.parser = Json.MAPPER.getFactory().createParser(in);
            this.name = name;
            this.vendor = vendor;
        }

        @Override
        public boolean hasNext() {
            if (ready) {
                return true;
            }
            if (done) {
                return false;
            }
            try {
                if (!inArray) {
                    if (parser.nextToken() != JsonToken.START_OBJECT) {
                        throw new UnreadableInputException("expected a JSON object with an \"entries\" array");
                    }
                    while (true) {
                        JsonToken token = parser.nextToken();
                        if (token == JsonToken.END_OBJECT || token == null) {
                            throw new UnreadableInputException("no \"entries\" array in the response");
                        }
                        if (token == JsonToken.FIELD_NAME && "entries".equals(parser.currentName())) {
                            if (parser.nextToken() != JsonToken.START_ARRAY) {
                                throw new UnreadableInputException("\"entries\" is not an array");
                            }
                            inArray = true;
                            break;
                        }
                        parser.nextToken();
                        parser.skipChildren();
                    }
                }
                if (parser.nextToken() == JsonToken.END_ARRAY) {
                    done = true;
                    parser.close();
                    return false;
                }
                ready = true;
                return true;
            } catch (IOException e) {
                throw new UnreadableInputException("truncated or invalid JSON response: " + e.getMessage(), e);
            }
        }

        @Override
        public SourceRecord next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            ready = false;
            String location = name + ":entries[" + index++ + "]";
            try {
                JsonNode entry = parser.readValueAsTree();
                String text = Json.MAPPER.writeValueAsString(entry);
                if (entry == null || !entry.isObject()) {
                    return SourceRecord.unparsable(vendor, text, location, "entry is not a JSON object");
                }
                return SourceRecord.parsed(vendor, entry, text, location);
            } catch (IOException e) {
                done = true;
                return SourceRecord.unparsable(vendor, null, location, "truncated or invalid JSON: " + e.getMessage());
            }
        }
    }

    /** CSV with a header row (RFC 4180: quoted fields with commas, doubled quotes and line breaks). */
    private static final class CsvIterator implements Iterator<SourceRecord> {
        private final CSVParser parser;
        private final Iterator<CSVRecord> records;
        private final List<String> header;
        private final String name;
        private final String vendor;
        private long lastLine = 1;
        private boolean broken;

        CsvIterator(BufferedReader reader, String name, String vendor) throws IOException {
            this.name = name;
            this.vendor = vendor;
            try {
                this.parser = CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true)
                        .setAllowMissingColumnNames(true).build().parse(reader);
            } catch (IllegalArgumentException | UncheckedIOException e) {
                throw new UnreadableInputException("unreadable CSV header: " + e.getMessage(), e);
            }
            this.header = parser.getHeaderNames();
            Set<String> present = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
            present.addAll(header);
            List<String> missing = Mappers.forVendor(vendor).csvColumns().stream().filter(c -> !present.contains(c)).toList();
            if (!missing.isEmpty()) {
                throw new UnreadableInputException("wrong CSV header for " + vendor + ": missing " + missing
                        + " (found " + header + ")");
            }
            this.records = parser.iterator();
            this.lastLine = parser.getCurrentLineNumber();
        }

        @Override
        public boolean hasNext() {
            if (broken) {
                return false;
            }
            try {
                return records.hasNext();
            } catch (UncheckedIOException | IllegalStateException e) {
                return true;
            }
        }

        @Override
        public SourceRecord next() {
            String location = name + ":" + (lastLine + 1);
            CSVRecord row;
            try {
                row = records.next();
            } catch (UncheckedIOException | IllegalStateException e) {
                broken = true;
                return SourceRecord.unparsable(vendor, null, location, "CSV syntax error: " + e.getMessage());
            }
            lastLine = parser.getCurrentLineNumber();
            ObjectNode object = Json.MAPPER.createObjectNode();
            for (int i = 0; i < header.size() && i < row.size(); i++) {
                object.put(header.get(i), row.get(i));
            }
            String text = object.toString();
            if (row.size() != header.size()) {
                return SourceRecord.unparsable(vendor, String.join(",", row.toList()), location,
                        "CSV row has " + row.size() + " fields, the header has " + header.size());
            }
            return SourceRecord.parsed(vendor, object, text, location);
        }
    }
}
