package io.auditrelay.sink.s3;

import io.auditrelay.event.AuditEvent;
import io.auditrelay.mapper.Json;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;
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
    public byte[] line(AuditEvent event) throws IOException {
        byte[] json = Json.MAPPER.writeValueAsBytes(event);
        byte[] line = Arrays.copyOf(json, json.length + 1);
        line[json.length] = '\n';
        return line;
    }

    @Override
    public AuditEvent read(byte[] line) throws IOException {
        return Json.MAPPER.readValue(line, AuditEvent.class);
    }

    @Override
    public OutputStream encoder(OutputStream out) throws IOException {
        return new GZIPOutputStream(out, 65536);
    }
}
