package io.auditrelay.event;

import io.auditrelay.event.AuditEvent;

/**
 * One canonical event on its way through the spine, with the source record it was made from (for dead letters).
 * The spine hands the sinks a chunk of these at a time ({@code List<Delivery>}).
 */
public record Delivery(AuditEvent event, SourceRecord source) {

    public String vendor() {
        return source != null ? source.vendor() : event.vendor();
    }

    /** Where the record came from ({@code file:line}, {@code topic/partition/offset}, ...), or null. */
    public String location() {
        return source == null ? null : source.location();
    }
}
