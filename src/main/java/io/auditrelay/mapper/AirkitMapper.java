package io.auditrelay.mapper;

import com.fasterxml.jackson.databind.JsonNode;
import io.auditrelay.event.Activity;
import io.auditrelay.event.AuditEvent;
import io.auditrelay.event.Outcome;

import java.time.Instant;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Maps one Airkit System Audit Log row (the S3 export's upper-case columns; keys are matched
 * case-insensitively). {@code EVENT_TIME} is a TIMESTAMP_NTZ and is read as UTC; a bare time of day
 * is combined with {@code EVENT_DATE}. Empty strings count as absent.
 */
public final class AirkitMapper implements VendorMapper {

    public static final String VENDOR = "airkit";
    /** Name prefix of the delivery check file Airkit drops into the bucket. */
    public static final String VERIFY_PREFIX = "airkit-verify-test-";

    /** Activity of every documented Airkit event type. */
    static final Map<String, Activity> ACTIVITIES = Map.ofEntries(
            Map.entry("portal_page_view", Activity.READ),
            Map.entry("deployment_changed", Activity.UPDATE),
            Map.entry("new_adapter", Activity.CREATE),
            Map.entry("deleted_api_key", Activity.DELETE),
            Map.entry("deleted_encryption_key", Activity.DELETE),
            Map.entry("modified_notifier", Activity.UPDATE),
            Map.entry("new_saml", Activity.CREATE),
            Map.entry("invite_sent", Activity.CREATE),
            Map.entry("new_encryption_key", Activity.CREATE),
            Map.entry("user_support_scope_assigned", Activity.GRANT),
            Map.entry("deleted_resource", Activity.DELETE),
            Map.entry("user_role_removed", Activity.REVOKE),
            Map.entry("deleted_notifier", Activity.DELETE),
            Map.entry("clone_datastore", Activity.CREATE),
            Map.entry("invalid_login", Activity.LOGIN),
            Map.entry("saml_assertion_received", Activity.LOGIN),
            Map.entry("user_created", Activity.CREATE),
            Map.entry("user_logout", Activity.LOGOUT),
            Map.entry("deleted_domain_certificate", Activity.DELETE),
            Map.entry("new_embed", Activity.CREATE),
            Map.entry("user_root_scope_assigned", Activity.GRANT),
            Map.entry("deleted_adapter", Activity.DELETE),
            Map.entry("modified_datastore", Activity.UPDATE),
            Map.entry("deleted_datastore", Activity.DELETE),
            Map.entry("user_login", Activity.LOGIN),
            Map.entry("app_deployed", Activity.ENABLE),
            Map.entry("new_resource", Activity.CREATE),
            Map.entry("new_api_key", Activity.CREATE),
            Map.entry("modified_adapter", Activity.UPDATE),
            Map.entry("modified_api_key", Activity.UPDATE),
            Map.entry("data_migration", Activity.UPDATE),
            Map.entry("org_created", Activity.CREATE),
            Map.entry("new_domain_certificate", Activity.CREATE),
            Map.entry("modified_domain_certificate", Activity.UPDATE),
            Map.entry("new_notifier", Activity.CREATE),
            Map.entry("backup_datastore", Activity.CREATE),
            Map.entry("new_datastore", Activity.CREATE),
            Map.entry("password_change", Activity.UPDATE),
            Map.entry("modified_embed", Activity.UPDATE),
            Map.entry("user_locked", Activity.DISABLE),
            Map.entry("deleted_embed", Activity.DELETE),
            Map.entry("app_undeployed", Activity.DISABLE),
            Map.entry("app_created", Activity.CREATE),
            Map.entry("user_role_added", Activity.GRANT),
            Map.entry("request_state", Activity.OTHER));

    /** Specific id columns, in order of precedence, and the resource kind each one names. */
    private static final List<Map.Entry<String, String>> ID_COLUMNS = List.of(
            Map.entry("APP_ID", "app"),
            Map.entry("DATASTORE_ID", "datastore"),
            Map.entry("API_KEY_ID", "api_key"),
            Map.entry("NOTIFIER_ID", "notifier"),
            Map.entry("SAML_ID", "saml"),
            Map.entry("WEBHOOK_ID", "webhook"),
            Map.entry("ADAPTER_ID", "adapter"),
            Map.entry("EMBED_ID", "embed"),
            Map.entry("ROLE_ID", "role"),
            Map.entry("DOMAIN", "domain"));

    @Override
    public String vendor() {
        return VENDOR;
    }

    /** The documented columns of Airkit's CSV audit files. */
    @Override
    public List<String> csvColumns() {
        return List.of("ORGANIZATION_ID", "EVENT_ID", "EVENT_TIME", "EVENT_TYPE");
    }

    /** The {@code airkit-verify-test-{timestamp}} file Airkit writes to check that it can deliver to the bucket. */
    @Override
    public boolean skips(String fileName) {
        return fileName.startsWith(VERIFY_PREFIX);
    }

    @Override
    public AuditEvent map(JsonNode record, MappingContext context) {
        Fields.requireObject(record);
        Map<String, String> row = columns(record);
        String eventId = required(row, "EVENT_ID");
        String eventType = required(row, "EVENT_TYPE");
        String org = row.get("ORGANIZATION_ID");
        AuditEvent event = new AuditEvent(
                VENDOR + ":" + eventId,
                Timestamps.format(time(row)),
                Fields.received(context),
                VENDOR,
                eventType,
                Activities.lookup(ACTIVITIES, eventType),
                "invalid_login".equals(eventType) ? Outcome.FAILURE : Outcome.SUCCESS,
                new AuditEvent.Actor(row.get("USER_ID"), row.get("EMAIL")),
                resource(row, eventType),
                org != null ? org : Fields.defaultOrg(context),
                record);
        return extras(row, event.resource()).addTo(event);
    }

    /**
     * ROOT_SCOPE_USER_ID as the principal acted for (when it is not the actor), LOGIN_TYPE as the auth method
     * and the actor's kind, SERVICE/SERVICE_REVISION, the app as parent of any other resource, and
     * BRANCH_ID, DEPLOY_ID, SAVEPOINT_ID, SAVEPOINT_REVISION as labels.
     */
    static Extras extras(Map<String, String> row, AuditEvent.Resource resource) {
        String user = row.get("USER_ID");
        String rootScope = row.get("ROOT_SCOPE_USER_ID");
        String loginType = row.get("LOGIN_TYPE");
        String actorType = Fields.actorType(loginType);
        if (actorType == null && (user != null || row.get("EMAIL") != null)) {
            actorType = AuditEvent.Actor.USER;
        }
        String app = row.get("APP_ID");
        return new Extras()
                .onBehalfOf(rootScope != null && !rootScope.equals(user) ? rootScope : null)
                .authMethod(loginType)
                .actorType(actorType)
                .service(row.get("SERVICE"), row.get("SERVICE_REVISION"))
                .resourceParent(app != null && !"app".equals(resource.type()) ? app : null)
                .srcIp(row.get("IP_ADDRESS"))
                .userAgent(row.get("USER_AGENT"))
                .label("branch_id", row.get("BRANCH_ID"))
                .label("deploy_id", row.get("DEPLOY_ID"))
                .label("savepoint_id", row.get("SAVEPOINT_ID"))
                .label("savepoint_revision", row.get("SAVEPOINT_REVISION"));
    }

    /** EVENT_TIME as UTC; a time of day alone is placed on EVENT_DATE. */
    static Instant time(Map<String, String> row) {
        String time = required(row, "EVENT_TIME");
        if (Timestamps.isTimeOfDay(time)) {
            return Timestamps.parseUtc("EVENT_DATE", row.get("EVENT_DATE"), "EVENT_TIME", time);
        }
        return Timestamps.parseUtc("EVENT_TIME", time);
    }

    /**
     * RESOURCE_TYPE/RESOURCE_ID where given; otherwise the specific id column that is set, preferring the
     * one whose kind the event type names ({@code new_datastore} reads DATASTORE_ID), else the first set
     * in column order (APP_ID, DATASTORE_ID, ..., DOMAIN).
     */
    static AuditEvent.Resource resource(Map<String, String> row, String eventType) {
        String type = row.get("RESOURCE_TYPE");
        String id = row.get("RESOURCE_ID");
        Map.Entry<String, String> chosen = null;
        for (Map.Entry<String, String> column : ID_COLUMNS) {
            if (row.get(column.getKey()) == null) {
                continue;
            }
            if (eventType.contains(column.getValue())) {
                chosen = column;
                break;
            }
            if (chosen == null) {
                chosen = column;
            }
        }
        if (chosen != null) {
            return new AuditEvent.Resource(type != null ? type : chosen.getValue(),
                    id != null ? id : row.get(chosen.getKey()), null);
        }
        return new AuditEvent.Resource(type, id, null);
    }

    /** The row's non-empty columns keyed by upper-case name. */
    static Map<String, String> columns(JsonNode record) {
        Map<String, String> row = new HashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = record.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            String value = Fields.text(field.getValue());
            if (value != null) {
                row.putIfAbsent(field.getKey().trim().toUpperCase(Locale.ROOT), value.trim());
            }
        }
        return row;
    }

    private static String required(Map<String, String> row, String column) {
        String value = row.get(column);
        if (value == null) {
            throw new MappingException(column, "missing or empty");
        }
        return value;
    }
}
