package io.auditrelay.sink.s3;

import io.auditrelay.event.AuditEvent;
import io.auditrelay.mapper.Json;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.zip.GZIPOutputStream;

/** Gzipped NDJSON: one canonical event (the same JSON as the ndjson sink) per line. */
public class NdjsonGzipFormat implements BatchFormat {

    @Override
    public String extension() {
        return ".ndjson.gz";
    }

    @Override
    public String contentType() {
        return "application/x-ndjson";
    }

    @Override
    public String contentEncoding() {
        return "gzip";
    }

    @Override
    public long sizeOf(AuditEvent event) throws IOException {
        return Json.MAPPER.writeValueAsBytes(event).length + 1L;
    }

    @Override
    public byte[] encode(List<AuditEvent> events) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(bytes, 65536)) {
            for (AuditEvent event : events) {
                gzip.write(Json.MAPPER.writeValueAsBytes(event));
                gzip.write('\n');
            }
        }
        return bytes.toByteArray();
    }
}
