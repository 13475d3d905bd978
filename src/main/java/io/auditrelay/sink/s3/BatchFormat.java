package io.auditrelay.sink.s3;

import io.auditrelay.event.AuditEvent;

import java.io.IOException;
import java.util.List;

/**
 * How a batch of canonical events becomes one object. The S3 sink is format-agnostic: another format
 * (e.g. OCSF, Parquet) plugs in by implementing this interface.
 */
public interface BatchFormat {

    /** The object name's suffix, e.g. {@code .ndjson.gz}. */
    String extension();

    /** The object's Content-Type. */
    String contentType();

    /** The object's Content-Encoding, or null. */
    String contentEncoding();

    /** The uncompressed size one event adds to a batch (used for {@code relay.sink.s3.batch-bytes}). */
    long sizeOf(AuditEvent event) throws IOException;

    /** The object's bytes for these events, in this order. */
    byte[] encode(List<AuditEvent> events) throws IOException;
}
