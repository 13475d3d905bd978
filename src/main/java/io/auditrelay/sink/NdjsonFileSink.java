package io.auditrelay.sink;

import com.fasterxml.jackson.databind.JsonNode;
import io.auditrelay.event.AuditEvent;
import io.auditrelay.mapper.Json;

import java.io.IOException;
import java.nio.file.Path;

/** Writes one canonical event per line to {@code audit-YYYY-MM-DD.ndjson}. */
public class NdjsonFileSink extends DailyFileSink {

    public NdjsonFileSink(Path dir) {
        super(dir, "audit-", ".ndjson");
    }

    @Override
    public String name() {
        return "ndjson";
    }

    @Override
    protected String line(AuditEvent event) throws IOException {
        return Json.MAPPER.writeValueAsString(event);
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
            JsonNode node = Json.MAPPER.readTree(line);
            return node != null && node.hasNonNull("id") ? node.get("id").asText() : null;
        } catch (IOException e) {
            return null;
        }
    }
}
