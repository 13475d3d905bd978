package io.auditrelay.sink;

import io.auditrelay.event.AuditEvent;

/**
 * Where canonical events go. A sink route calls {@link #accept} for each event; the spine calls
 * {@link #flush} when a source's unit (a file, a Kafka poll batch, an API page, an S3 object) has
 * been through the fan-out, and acknowledges the unit only after every enabled sink's flush returned.
 * A sink that batches (S3) may therefore hold events in memory between accept and flush; one that
 * writes at once (files, Kafka, webhooks) makes flush a no-op.
 */
public interface EventSink {

    /** The name used in {@code relay.sinks} and the sink's properties. */
    String name();

    void accept(AuditEvent event) throws Exception;

    /** Makes every accepted event durable (or dead-lettered); throws if it cannot. */
    default void flush() throws Exception {
    }
}
