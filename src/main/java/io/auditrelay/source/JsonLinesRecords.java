package io.auditrelay.source;

import io.auditrelay.event.SourceRecord;

import java.io.IOException;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * JSON lines (JSONL, NDJSON): one JSON object per line, blank lines skipped. A line over the record limit, with
 * invalid UTF-8 or a control byte, or that is not a JSON object within the limits comes out as an unparsable record
 * naming its line; the next line is read as usual. When the input cannot be read on (a gzip bomb, corrupt gzip), one
 * last unparsable record covers the lines from there on.
 */
final class JsonLinesRecords implements Iterator<SourceRecord> {

    private final LineSource lines;
    private final JsonRecords json;
    private final String name;
    private final String vendor;
    private SourceRecord next;
    private boolean finished;

    JsonLinesRecords(LineSource lines, JsonRecords json, String name, String vendor) {
        this.lines = lines;
        this.json = json;
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
            LineSource.Line line;
            while ((line = lines.next()) != null) {
                if (line.blank()) {
                    continue;
                }
                String location = name + ":" + line.number();
                next = line.problem() != null
                        ? SourceRecord.unparsable(vendor, line.text(), location, line.problem())
                        : json.parse(vendor, line.text(), location);
                return true;
            }
        } catch (IOException e) {
            long from = lines.lineNumber() + 1;
            next = RecordReader.cutOff(vendor, name + ":" + from + "-", "lines " + from + " and after are not read", e);
            finished = true;
            return true;
        }
        finished = true;
        return false;
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
