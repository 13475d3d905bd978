package io.auditrelay.mapper;

import com.fasterxml.jackson.databind.JsonNode;
import io.auditrelay.event.Activity;
import io.auditrelay.event.AuditEvent;
import io.auditrelay.event.Outcome;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Maps a Conduktor audit event in CloudEvents structured JSON. The action is {@code data.eventType}
 * ({@code Kafka.Topic.Create}); else the older {@code type} form {@code AuditLogEventType(Kafka,Topic,Create)}
 * rewritten to dotted form; else {@code type} verbatim (console events such as {@code topic.Created}).
 * The resource type is the console event's family ({@code registry.} is a schema registry), else the keyword of the
 * {@code source} CRN, else the noun of the exported event type; its name {@code data.metadata.name}, else the
 * CloudEvents {@code subject}, else the CRN's last segment.
 */
public final class ConduktorMapper implements VendorMapper {

    public static final String VENDOR = "conduktor";

    private static final Pattern OLD_TYPE = Pattern.compile("AuditLogEventType\\((.*)\\)");
    /** Compiled once: {@code String.matches}, {@code replaceAll} and {@code replaceFirst} compile per call. */
    private static final Pattern TRACE_ID = Pattern.compile("[0-9a-fA-F]{32}");
    private static final Pattern HTTP_STATUS = Pattern.compile("[1-5]\\d\\d");
    private static final Pattern CAMEL_CASE = Pattern.compile("([a-z0-9])([A-Z])");
    private static final Pattern SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*:");

    /** Activities that the words of the action alone would get wrong or not find. */
    static final Map<String, Activity> ACTIVITIES = Map.ofEntries(
            Map.entry("Kafka.Topic.Empty", Activity.DELETE),
            Map.entry("SelfService.ApplicationInstancePermission.Create", Activity.GRANT),
            Map.entry("SelfService.ApplicationInstancePermission.Delete", Activity.REVOKE),
            Map.entry("topic.ProducedRecord", Activity.CREATE),
            Map.entry("topic.Browsed", Activity.READ),
            Map.entry("topic.Emptied", Activity.DELETE),
            Map.entry("topic.Tagged", Activity.UPDATE),
            Map.entry("topic.Untagged", Activity.UPDATE),
            Map.entry("subject.ChangedCompat", Activity.UPDATE),
            Map.entry("registry.ChangedGlobalCompat", Activity.UPDATE),
            Map.entry("subject.DeletedVersions", Activity.DELETE),
            Map.entry("subject.DeletedVersion", Activity.DELETE),
            Map.entry("consumergroup.Updated", Activity.UPDATE),
            Map.entry("connector.Restarted", Activity.UPDATE),
            Map.entry("connector.RestartedTask", Activity.UPDATE),
            Map.entry("connector.Paused", Activity.DISABLE),
            Map.entry("connector.Resumed", Activity.ENABLE),
            Map.entry("policy.Upserted", Activity.UPDATE),
            Map.entry("application.access-request.Approved", Activity.GRANT),
            Map.entry("application.access-request.Rejected", Activity.OTHER),
            Map.entry("group.member.Added", Activity.GRANT),
            Map.entry("group.member.Deleted", Activity.REVOKE),
            Map.entry("group.permission.Added", Activity.GRANT),
            Map.entry("group.permission.Deleted", Activity.REVOKE),
            Map.entry("user.Login", Activity.LOGIN),
            Map.entry("user.permission.Added", Activity.GRANT),
            Map.entry("user.permission.Deleted", Activity.REVOKE),
            Map.entry("user.platform_role.Updated", Activity.UPDATE));

    /**
     * The ResourceType of each console event family in the doc ({@code <family>.<Event>}): the family decides, not the
     * CRN, which for {@code registry.ChangedGlobalCompat} (SchemaRegistry) is the cluster's {@code kafka:/cluster/<uuid>}.
     */
    static final Map<String, String> CONSOLE_KINDS = Map.ofEntries(
            Map.entry("topic", "topic"),
            Map.entry("subject", "subject"),
            Map.entry("registry", "schema_registry"),
            Map.entry("consumergroup", "consumer_group"),
            Map.entry("connector", "connector"),
            Map.entry("policy", "datamasking_policy"),
            Map.entry("application", "application"),
            Map.entry("cluster", "cluster"),
            Map.entry("group", "group"),
            Map.entry("user", "user"));

    /** CRN path keywords followed by an identifier, and the resource kind they name. */
    private static final Map<String, String> KINDS = Map.ofEntries(
            Map.entry("cluster", "cluster"),
            Map.entry("kafkacluster", "cluster"),
            Map.entry("topic", "topic"),
            Map.entry("subject", "subject"),
            Map.entry("group", "group"),
            Map.entry("consumergroup", "consumer_group"),
            Map.entry("connect", "kafka_connect"),
            Map.entry("kafkaconnect", "kafka_connect"),
            Map.entry("connector", "connector"),
            Map.entry("ksqldb", "ksqldb"),
            Map.entry("datamasking", "datamasking_policy"),
            Map.entry("policy", "policy"),
            Map.entry("application", "application"),
            Map.entry("applicationinstance", "application_instance"),
            Map.entry("applicationgroup", "application_group"),
            Map.entry("user", "user"));

    @Override
    public String vendor() {
        return VENDOR;
    }

    @Override
    public AuditEvent map(JsonNode record, MappingContext context) {
        Fields.requireObject(record);
        String id = Fields.required(record, "id");
        String time = Timestamps.format(Timestamps.parseIso("time", Fields.required(record, "time")));
        JsonNode data = record.path("data");
        String action = action(Fields.text(data, "eventType"), Fields.text(record, "type"));
        String source = Fields.text(record, "source");
        String name = Fields.text(data.path("metadata"), "name");
        if (name == null) {
            name = Fields.text(record, "subject"); // CloudEvents: the subject of the event within its source
        }
        AuditEvent event = new AuditEvent(
                VENDOR + ":" + id,
                time,
                Fields.received(context),
                VENDOR,
                action,
                Activities.lookup(ACTIVITIES, action),
                outcome(data),
                actor(record, action, source),
                new AuditEvent.Resource(resourceType(source, action), source,
                        name != null ? name : lastSegment(source)),
                Fields.defaultOrg(context),
                record);
        return extras(record, data, event).addTo(event);
    }

    /**
     * The cluster ({@code data.metadata.cluster}, else the CRN's cluster id) as parent of anything but a cluster;
     * the trace id of a CloudEvents {@code traceparent}; the actor's kind where {@code data} states it (else a
     * user when the actor is an e-mail); session, client IP and user agent where {@code data} holds them.
     */
    static Extras extras(JsonNode record, JsonNode data, AuditEvent event) {
        JsonNode metadata = data.path("metadata");
        String cluster = Fields.first(metadata, "cluster", "clusterId", "clusterName");
        if (cluster == null) {
            cluster = Fields.first(data, "cluster", "clusterId", "clusterName");
        }
        if (cluster == null) {
            cluster = clusterOf(Fields.text(record, "source"));
        }
        String stated = Fields.first(data, "principalType", "userType", "actorType", "authType");
        if (stated == null) {
            stated = Fields.first(metadata, "principalType", "userType", "actorType", "authType");
        }
        String actorType = Fields.actorType(stated);
        if (actorType == null && Fields.isEmail(event.actor().id())) {
            actorType = AuditEvent.Actor.USER;
        }
        String session = Fields.first(data, "sessionId", "session_id");
        String ip = Fields.srcIp(data);
        String agent = Fields.userAgent(data);
        return new Extras()
                .resourceParent("cluster".equals(event.resource().type()) ? null : cluster)
                .trace(traceId(Fields.text(record, "traceparent")))
                .actorType(actorType)
                .session(session != null ? session : Fields.first(metadata, "sessionId", "session_id"))
                .srcIp(ip != null ? ip : Fields.srcIp(metadata))
                .userAgent(agent != null ? agent : Fields.userAgent(metadata));
    }

    /** The identifier after the CRN's {@code cluster} or {@code kafkacluster} keyword, or null. */
    static String clusterOf(String crn) {
        List<String> segments = segments(crn);
        for (int i = 0; i + 1 < segments.size(); i++) {
            String keyword = segments.get(i).toLowerCase(Locale.ROOT);
            if (keyword.equals("cluster") || keyword.equals("kafkacluster")) {
                return segments.get(i + 1);
            }
        }
        return null;
    }

    /** The trace id of a W3C {@code traceparent} ({@code 00-<trace id>-<parent id>-<flags>}), or null. */
    static String traceId(String traceparent) {
        if (traceparent == null) {
            return null;
        }
        String[] parts = traceparent.trim().split("-");
        return parts.length >= 3 && TRACE_ID.matcher(parts[1]).matches() ? parts[1].toLowerCase(Locale.ROOT) : null;
    }

    /** The action from {@code data.eventType}, else {@code type} (old form rewritten); type is then required. */
    static String action(String eventType, String type) {
        if (eventType != null) {
            return eventType;
        }
        if (type == null) {
            throw new MappingException("type", "missing or empty, and data.eventType is absent");
        }
        Matcher old = OLD_TYPE.matcher(type.trim());
        if (old.matches()) {
            List<String> parts = new ArrayList<>();
            for (String part : old.group(1).split(",")) {
                if (!part.isBlank()) {
                    parts.add(part.trim());
                }
            }
            if (!parts.isEmpty()) {
                return String.join(".", parts);
            }
        }
        return type;
    }

    /**
     * The resource kind named by the CRN: the last keyword in its path that is followed by an identifier
     * ({@code connect/<id>/<name>} is a connector; a Kafka-cluster {@code group} is a consumer group).
     * Falls back to the middle word of a dotted action ({@code Iam.User.Create} is a user).
     */
    static String resourceType(String crn, String action) {
        String console = consoleKind(action);
        if (console != null) {
            return console;
        }
        List<String> segments = segments(crn);
        String kind = null;
        boolean inCluster = false;
        for (int i = 0; i + 1 < segments.size(); i++) {
            String keyword = segments.get(i).toLowerCase(Locale.ROOT);
            String mapped = KINDS.get(keyword);
            if (mapped == null) {
                continue;
            }
            if (keyword.equals("connect") && i + 2 < segments.size()) {
                return "connector";
            }
            kind = mapped.equals("group") && inCluster ? "consumer_group" : mapped;
            inCluster |= mapped.equals("cluster");
            i++;
        }
        return kind != null ? kind : kindFromAction(action);
    }

    /** The ResourceType of a console event ({@code registry.ChangedGlobalCompat} is a schema_registry), else null. */
    static String consoleKind(String action) {
        int dot = action == null ? -1 : action.indexOf('.');
        if (dot <= 0 || !Character.isLowerCase(action.charAt(0))) {
            return null; // exported events are Capitalised (Kafka.Topic.Create)
        }
        return CONSOLE_KINDS.get(action.substring(0, dot));
    }

    private static String kindFromAction(String action) {
        String[] parts = action.split("\\.");
        if (parts.length < 3) {
            return null;
        }
        String kind = CAMEL_CASE.matcher(parts[parts.length - 2]).replaceAll("$1_$2").toLowerCase(Locale.ROOT);
        return KINDS.getOrDefault(kind.replace("_", ""), kind);
    }

    /** The CRN path segments, scheme ({@code kafka:}, {@code platform:}) and empty segments dropped. */
    static List<String> segments(String crn) {
        List<String> segments = new ArrayList<>();
        if (crn == null) {
            return segments;
        }
        String path = SCHEME.matcher(crn).replaceFirst("");
        for (String segment : path.split("/")) {
            if (!segment.isEmpty()) {
                segments.add(segment);
            }
        }
        return segments;
    }

    private static String lastSegment(String crn) {
        List<String> segments = segments(crn);
        return segments.isEmpty() ? null : segments.get(segments.size() - 1);
    }

    /**
     * Who acted, in this order: the payload ({@code data}, then {@code data.metadata}: a {@code user} object, or
     * {@code user}, {@code userName}, {@code userId}, {@code principal}, {@code actor} and {@code email}); the CloudEvents
     * auth context extension ({@code authid}, unless {@code authtype} is {@code unauthenticated}); for {@code user.Login},
     * whose CRN {@code platform:/user/<email>} names the user who logged in, that user (or the event's {@code subject}).
     * The CRN of other User events names the user acted on, never the actor.
     */
    static AuditEvent.Actor actor(JsonNode record, String action, String crn) {
        JsonNode data = record.path("data");
        for (JsonNode node : List.of(data, data.path("metadata"))) {
            JsonNode user = node.path("user");
            if (user.isObject()) {
                String email = Fields.first(user, "email", "userEmail");
                String id = Fields.first(user, "id", "userId", "name", "userName", "principal", "email");
                if (id != null || email != null) {
                    return new AuditEvent.Actor(id, email != null ? email : emailOrNull(id));
                }
            }
            String id = Fields.first(node, "user", "userName", "userId", "principal", "actor");
            String email = Fields.first(node, "email", "userEmail");
            if (id != null || email != null) {
                return new AuditEvent.Actor(id != null ? id : email, email != null ? email : emailOrNull(id));
            }
        }
        String authId = Fields.text(record, "authid");
        String authType = Fields.text(record, "authtype");
        if (authId != null && !"unauthenticated".equalsIgnoreCase(authType)) {
            return new AuditEvent.Actor(authId, emailOrNull(authId));
        }
        if ("user.Login".equals(action)) {
            List<String> segments = segments(crn);
            String user = segments.size() == 2 && segments.get(0).equals("user") ? segments.get(1) : Fields.text(record, "subject");
            if (user != null) {
                return new AuditEvent.Actor(user, emailOrNull(user));
            }
        }
        return new AuditEvent.Actor(null, null);
    }

    /**
     * Only when the payload states it, in {@code data} or else {@code data.metadata}: a boolean {@code success};
     * {@code outcome}, {@code status} or {@code result} as a word or an HTTP status ({@code statusCode},
     * {@code httpStatus} too: below 400 success, else failure); a non-empty {@code error} or
     * {@code errorMessage} is a failure.
     */
    static Outcome outcome(JsonNode data) {
        Outcome stated = statedOutcome(data);
        return stated != Outcome.UNKNOWN ? stated : statedOutcome(data.path("metadata"));
    }

    private static Outcome statedOutcome(JsonNode data) {
        String code = Fields.first(data, "statusCode", "httpStatus", "status", "result");
        if (code != null && HTTP_STATUS.matcher(code).matches()) {
            return Integer.parseInt(code) < 400 ? Outcome.SUCCESS : Outcome.FAILURE;
        }
        String error = Fields.first(data, "error", "errorMessage");
        if (error != null && !error.equalsIgnoreCase("false")
                || data.path("error").isObject() && !data.path("error").isEmpty()) {
            return Outcome.FAILURE;
        }
        JsonNode success = data.path("success");
        if (success.isBoolean()) {
            return success.asBoolean() ? Outcome.SUCCESS : Outcome.FAILURE;
        }
        String stated = Fields.first(data, "outcome", "status", "result");
        if (stated == null) {
            return Outcome.UNKNOWN;
        }
        return switch (stated.trim().toLowerCase(Locale.ROOT)) {
            case "success", "succeeded", "ok", "allowed" -> Outcome.SUCCESS;
            case "failure", "failed", "error", "denied", "rejected" -> Outcome.FAILURE;
            default -> Outcome.UNKNOWN;
        };
    }

    private static String emailOrNull(String value) {
        return Fields.isEmail(value) ? value : null;
    }
}
