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
        return new AuditEvent(
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
