package io.auditrelay.spine;

import io.auditrelay.event.SourceRecord;
import org.apache.camel.support.ObjectHelper;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * Groups a unit's records (a list, or a stream read as it goes) into the spine's chunks: at most {@code maxRecords}
 * records and, as far as one record allows, at most {@code maxBytes} of record text. The byte bound keeps the chunks in
 * flight small when the records are large (each may be up to {@code relay.input.max-record-bytes}), so a file of many
 * large records cannot fill the heap with one chunk of hundreds of them.
 */
public class Chunker {

    /** The chunks of {@code body}, read lazily: the split of routes/ingest.yaml pulls one chunk at a time. */
    public Iterator<List<Object>> chunks(Object body, int maxRecords, long maxBytes) {
        Iterator<?> records = ObjectHelper.createIterator(body);
        int records0 = Math.max(1, maxRecords);
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return records.hasNext();
            }

            @Override
            public List<Object> next() {
                if (!records.hasNext()) {
                    throw new NoSuchElementException();
                }
                List<Object> chunk = new ArrayList<>(Math.min(records0, 512));
                long bytes = 0;
                while (records.hasNext() && chunk.size() < records0) {
                    Object record = records.next();
                    chunk.add(record);
                    bytes += size(record);
                    if (bytes >= maxBytes) {
                        break;
                    }
                }
                return chunk;
            }
        };
    }

    private static long size(Object record) {
        if (record instanceof SourceRecord source) {
            return source.text() == null ? 0 : source.text().length();
        }
        return record instanceof CharSequence text ? text.length() : 0;
    }
}
