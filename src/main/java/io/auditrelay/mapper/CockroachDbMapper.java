package io.auditrelay.mapper;

import com.fasterxml.jackson.databind.JsonNode;
import io.auditrelay.event.Activity;
import io.auditrelay.event.AuditEvent;
import io.auditrelay.event.Outcome;

/**
 * Maps one entry of the CockroachDB Cloud {@code auditlogevents} API ({@code entries[]}).
 * The activity comes from the words of {@code AUDIT_LOG_ACTION_*}; a non-empty {@code error} is a failure.
 */
public final class CockroachDbMapper implements VendorMapper {

    public static final String VENDOR = "cockroachdb";

    private static final String ACTION_PREFIX = "AUDIT_LOG_ACTION_";

    @Override
    public String vendor() {
        return VENDOR;
    }

    @Override
    public AuditEvent map(JsonNode record, MappingContext context) {
        Fields.requireObject(record);
        String id = Fields.required(record, "id");
        String time = Timestamps.format(Timestamps.parseIso("created_at", Fields.required(record, "created_at")));
        String action = Fields.required(record, "action");
        String clusterId = Fields.text(record, "cluster_id");
        AuditEvent event = new AuditEvent(
                VENDOR + ":" + id,
                time,
                Fields.received(context),
                VENDOR,
                action,
                activity(action),
                hasError(record.get("error")) ? Outcome.FAILURE : Outcome.SUCCESS,
                new AuditEvent.Actor(null, Fields.text(record, "user_email")),
                new AuditEvent.Resource(clusterId != null ? "cluster" : "organization", clusterId,
                        Fields.text(record, "cluster_name")),
                Fields.defaultOrg(context),
                record);
        return extras(record).addTo(event);
    }

    /**
     * {@code session_id}, {@code trace_id}; {@code source} (the channel: API, console, internal) as a label; a
     * user when {@code user_email} is set, else a service account when the source is the API (whose callers
     * are service accounts); the client IP and user agent where the payload holds them.
     */
    static Extras extras(JsonNode record) {
        String source = Fields.text(record, "source");
        String actorType = Fields.text(record, "user_email") != null ? AuditEvent.Actor.USER
                : source != null && source.contains("API") ? AuditEvent.Actor.SERVICE_ACCOUNT : null;
        JsonNode payload = record.path("payload");
        JsonNode metadata = record.path("metadata");
        String ip = Fields.srcIp(metadata);
        String agent = Fields.userAgent(metadata);
        return new Extras()
                .session(Fields.text(record, "session_id"))
                .trace(Fields.text(record, "trace_id"))
                .actorType(actorType)
                .srcIp(ip != null ? ip : Fields.srcIp(payload))
                .userAgent(agent != null ? agent : Fields.userAgent(payload))
                .label("source", source);
    }

    /** Classifies an {@code AUDIT_LOG_ACTION_*} value by its words, ignoring the common prefix. */
    static Activity activity(String action) {
        String verb = action.startsWith(ACTION_PREFIX) ? action.substring(ACTION_PREFIX.length()) : action;
        return Activities.fromTokens(verb);
    }

    private static boolean hasError(JsonNode error) {
        if (error == null || error.isNull() || error.isMissingNode()) {
            return false;
        }
        if (error.isContainerNode()) {
            return !error.isEmpty();
        }
        return !error.asText().isBlank();
    }
}
