package io.auditrelay.sink;

import com.fasterxml.jackson.databind.JsonNode;
import io.auditrelay.event.AuditEvent;
import io.auditrelay.mapper.Json;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Writes one event per line (canonical, or OCSF by its {@link EventFormat}) to {@code audit-YYYY-MM-DD.ndjson}. */
public class NdjsonFileSink extends DailyFileSink {

    private final EventFormat format;

    public NdjsonFileSink(Path dir) {
        this(dir, EventFormat.CANONICAL);
    }

    public NdjsonFileSink(Path dir, EventFormat format) {
        super(dir, "audit-", ".ndjson");
        this.format = format;
    }

    @Override
    public String name() {
        return "ndjson";
    }

    @Override
    protected String line(AuditEvent event) throws IOException {
        return format.json(event);
    }

    @Override
    protected String header() {
        return null;
    }

    @Override
    protected String newline() {
        return "\n";
    }

    /**
     * A line ends at its {@code '\n'}: a canonical event's JSON holds none (a line break in a value is written
     * escaped), so the last {@code '\n'} ends the last complete event.
     */
    @Override
    protected Tail readTail(Path file, long from, long to) throws IOException {
        List<String> ids = new ArrayList<>();
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        long end = from;
        long position = from;
        byte[] buffer = new byte[65536];
        try (InputStream in = region(file, from, to)) {
            for (int n; (n = in.read(buffer)) > 0; position += n) {
                int start = 0;
                for (int i = 0; i < n; i++) {
                    if (buffer[i] == '\n') {
                        line.write(buffer, start, i - start);
                        String id = idOf(line.toByteArray());
                        if (id != null) {
                            ids.add(id);
                        }
                        line.reset();
                        start = i + 1;
                        end = position + i + 1;
                    }
                }
                line.write(buffer, start, n - start);
            }
        }
        return new Tail(end, ids);
    }

    private static String idOf(byte[] line) {
        try {
            return EventFormat.idOf(Json.MAPPER.readTree(line));
        } catch (IOException e) {
            return null;
        }
    }
}
