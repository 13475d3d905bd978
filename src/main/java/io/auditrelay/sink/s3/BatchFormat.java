package io.auditrelay.sink.s3;

import io.auditrelay.event.AuditEvent;

import java.io.IOException;
import java.io.OutputStream;

/**
 * How a batch of canonical events becomes one object. The S3 sink is format-agnostic: another format
 * (e.g. OCSF) plugs in by implementing this interface.
 *
 * <p>The S3 sink spools a batch as the concatenation of its events' {@link #line lines} (one per event, each ending
 * with {@code '\n'}) and, when the batch is written, streams that through {@link #encoder} into the object. A format
 * is therefore line-oriented: the object's content is a function of the concatenated lines.
 */
public interface BatchFormat {

    /** The object name's suffix, e.g. {@code .ndjson.gz}. */
    String extension();

    /** The object's Content-Type. */
    String contentType();

    /** The object's Content-Encoding, or null. */
    String contentEncoding();

    /** The uncompressed bytes of one event in a batch: one line, ending with {@code '\n'}, with no other {@code '\n'}. */
    byte[] line(AuditEvent event) throws IOException;

    /** The event of a line written by {@link #line} (with or without its {@code '\n'}). */
    AuditEvent read(byte[] line) throws IOException;

    /**
     * Wraps {@code out}: the lines written to the returned stream become the object's bytes (e.g. gzipped);
     * closing the returned stream finishes the object and closes {@code out}.
     */
    OutputStream encoder(OutputStream out) throws IOException;

    /**
     * The partition of an event: the events of one object share it, and it names the object with {@link #objectName}.
     * By default {@code vendor=<v>/dt=<yyyy-MM-dd>/hour=<HH>} of the event time.
     */
    default String partition(AuditEvent event) {
        return S3Sink.partition(event);
    }

    /** The object's key below the sink's prefix: by default {@code <partition>/<hash><extension>}. */
    default String objectName(String partition, String hash) {
        return partition + "/" + hash + extension();
    }
}
