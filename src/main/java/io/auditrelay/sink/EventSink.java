package io.auditrelay.sink;

import io.auditrelay.event.AuditEvent;

/**
 * Where canonical events go. A sink route calls {@link #accept}; returning normally means the sink
 * holds the event durably enough to acknowledge the source; an exception means it does not.
 */
public interface EventSink {

    /** The name used in {@code relay.sinks} and the sink's properties. */
    String name();

    void accept(AuditEvent event) throws Exception;
}
