package io.auditrelay.sink;

import com.fasterxml.jackson.databind.JsonNode;
import io.auditrelay.event.AuditEvent;
import io.auditrelay.mapper.Json;

import java.io.IOException;
import java.nio.file.Path;

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

    @Override
    protected String idOf(String line) {
        try {
            return EventFormat.idOf(Json.MAPPER.readTree(line));
        } catch (IOException e) {
            return null;
        }
    }
}
