package io.auditrelay.event;

import io.auditrelay.event.AuditEvent;
import io.auditrelay.event.Delivery;
import org.apache.camel.Exchange;

import java.util.List;

/**
 * Where canonical events go: the engine a sink endpoint ({@link SinkEndpoint}) builds, starts and stops. The endpoint's
 * producer hands it the events of an exchange in groups of up to {@link #groupSize()} events and calls {@link #flush}
 * before the source's unit is acknowledged (the relay's spine once at the end of each unit, a Pipe before the producer
 * returns). A sink that batches (S3, Kafka) may therefore hold events between accept and flush; one that writes at
 * once (files, webhooks) makes flush a no-op.
 */
public interface EventSink {

    /** The name used in {@code relay.sinks} and the sink's properties. */
    String name();

    void accept(AuditEvent event) throws Exception;

    /**
     * Accepts one event with where it came from (for a later dead letter); the default drops the location. (Not an
     * overload of {@code accept}: the Kamelets call {@code accept} by name on the sink beans.)
     */
    default void acceptFrom(AuditEvent event, String location) throws Exception {
        accept(event);
    }

    /**
     * Accepts a group of events of one chunk; {@code chunk} is the chunk's exchange (its unit of work). Returns when
     * every event of the group was accepted; if it throws, none of the group counts as accepted and the group is
     * retried or dead-lettered as a whole. The default accepts the events one by one.
     */
    default void acceptAll(List<Delivery> group, Exchange chunk) throws Exception {
        for (Delivery delivery : group) {
            acceptFrom(delivery.event(), delivery.location());
        }
    }

    /** How many events {@link #acceptAll(List, Exchange)} takes at once. */
    default int groupSize() {
        return 1;
    }

    /** Makes every accepted event durable (or dead-lettered); throws if it cannot. */
    default void flush() throws Exception {
    }
}
