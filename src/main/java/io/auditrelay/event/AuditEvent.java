package io.auditrelay.event;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * The canonical audit event: one vendor record, normalized. Field meanings are documented in
 * {@code docs/event-schema.md} and checked by {@code schema/audit-event.schema.json}.
 *
 * @param id       {@code <vendor>:<vendor's event id>}, or a content hash where the vendor has none
 * @param time     the event's time, ISO-8601 UTC, at the vendor's precision
 * @param received when the relay read the record, ISO-8601 UTC
 * @param vendor   {@code astra}, {@code cockroachdb}, {@code conduktor} or {@code airkit}
 * @param action   the vendor's own event type, verbatim
 * @param activity the normalized verb
 * @param outcome  success, failure or unknown
 * @param actor    who did it
 * @param resource what it was done to
 * @param org      the organization id, where known
 * @param raw      the vendor record as received
 */
@JsonPropertyOrder({"id", "time", "received", "vendor", "action", "activity", "outcome", "actor", "resource", "org", "raw"})
public record AuditEvent(
        String id,
        String time,
        String received,
        String vendor,
        String action,
        Activity activity,
        Outcome outcome,
        Actor actor,
        Resource resource,
        String org,
        JsonNode raw) {

    public record Actor(String id, String email) {
    }

    public record Resource(String type, String id, String name) {
    }
}
