package io.auditrelay.event;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * The canonical audit event: one vendor record, normalized. Field meanings are documented in
 * {@code docs/event-schema.md} and checked by {@code schema/audit-event.schema.json}.
 *
 * @param schemaVersion the canonical schema's version, {@link #SCHEMA_VERSION} for events made by this code
 * @param id            {@code <vendor>:<vendor's event id>}, or a content hash where the vendor has none
 * @param time          the event's time, RFC 3339 UTC with six fraction digits
 * @param received      when the relay read the record, same format
 * @param vendor        {@code astra}, {@code cockroachdb}, {@code conduktor} or {@code airkit}
 * @param action        the vendor's own event type, verbatim
 * @param activity      the normalized verb
 * @param outcome       success, failure or unknown
 * @param actor         who did it
 * @param resource      what it was done to
 * @param session       the vendor's session of the action
 * @param trace         the vendor's trace of the request
 * @param src           where the request came from
 * @param userAgent     the client's user agent, where the vendor records one
 * @param auth          how the actor authenticated
 * @param service       the vendor service (and its version) that recorded the event
 * @param labels        vendor attributes with no field of their own (lower-case names), never null
 * @param org           the organization id, where known
 * @param raw           the vendor record as received
 */
@JsonPropertyOrder({"id", "schema_version", "time", "received", "vendor", "action", "activity", "outcome", "actor",
        "resource", "session", "trace", "src", "user_agent", "auth", "service", "labels", "org", "raw"})
public record AuditEvent(
        @JsonProperty("schema_version") String schemaVersion,
        String id,
        String time,
        String received,
        String vendor,
        String action,
        Activity activity,
        Outcome outcome,
        Actor actor,
        Resource resource,
        Session session,
        Trace trace,
        Src src,
        @JsonProperty("user_agent") String userAgent,
        Auth auth,
        Service service,
        Map<String, String> labels,
        String org,
        JsonNode raw) {

    /** The version of the canonical schema this code writes. */
    public static final String SCHEMA_VERSION = "2.0";

    /** Absent parts become empty objects, so every field is present and a path like {@code session.id} never breaks. */
    public AuditEvent {
        schemaVersion = schemaVersion == null ? SCHEMA_VERSION : schemaVersion;
        session = session == null ? Session.NONE : session;
        trace = trace == null ? Trace.NONE : trace;
        src = src == null ? Src.NONE : src;
        auth = auth == null ? Auth.NONE : auth;
        service = service == null ? Service.NONE : service;
        labels = present(labels);
    }

    private static Map<String, String> present(Map<String, String> labels) {
        if (labels == null || labels.isEmpty()) {
            return Map.of();
        }
        Map<String, String> kept = new TreeMap<>();
        labels.forEach((name, value) -> {
            if (name != null && value != null) {
                kept.put(name, value);
            }
        });
        return Collections.unmodifiableMap(kept);
    }

    /** The fields of schema 1.0; the fields added since are empty. */
    public AuditEvent(String id, String time, String received, String vendor, String action, Activity activity,
                      Outcome outcome, Actor actor, Resource resource, String org, JsonNode raw) {
        this(SCHEMA_VERSION, id, time, received, vendor, action, activity, outcome, actor, resource,
                null, null, null, null, null, null, null, org, raw);
    }

    /** This event with the context a mapper found besides the schema 1.0 fields. */
    public AuditEvent with(Context context) {
        return new AuditEvent(schemaVersion, id, time, received, vendor, action, activity, outcome,
                actor == null ? null : actor.with(context.actorType(), context.onBehalfOf()),
                resource == null ? null : resource.withParent(context.resourceParent()),
                new Session(context.sessionId()), new Trace(context.traceId()), new Src(context.srcIp()),
                context.userAgent(), new Auth(context.authMethod()),
                new Service(context.serviceName(), context.serviceVersion()), context.labels(), org, raw);
    }

    /** This event with another raw record (redaction). */
    public AuditEvent withRaw(JsonNode newRaw) {
        return new AuditEvent(schemaVersion, id, time, received, vendor, action, activity, outcome, actor, resource,
                session, trace, src, userAgent, auth, service, labels, org, newRaw);
    }

    /**
     * Who did it.
     *
     * @param type       {@link #USER}, {@link #SERVICE_ACCOUNT} or {@link #API_KEY}; null when the vendor doesn't say
     * @param onBehalfOf the principal the actor acted for, where the vendor records one
     */
    @JsonPropertyOrder({"id", "email", "type", "on_behalf_of"})
    public record Actor(String id, String email, String type, @JsonProperty("on_behalf_of") String onBehalfOf) {

        public static final String USER = "user";
        public static final String SERVICE_ACCOUNT = "service_account";
        public static final String API_KEY = "api_key";

        public Actor(String id, String email) {
            this(id, email, null, null);
        }

        Actor with(String newType, String newOnBehalfOf) {
            return new Actor(id, email, newType != null ? newType : type,
                    newOnBehalfOf != null ? newOnBehalfOf : onBehalfOf);
        }
    }

    /**
     * What it was done to.
     *
     * @param parent the resource that holds this one (the cluster of a topic, the database of a keyspace)
     */
    @JsonPropertyOrder({"type", "id", "name", "parent"})
    public record Resource(String type, String id, String name, String parent) {

        public Resource(String type, String id, String name) {
            this(type, id, name, null);
        }

        Resource withParent(String newParent) {
            return new Resource(type, id, name, newParent != null ? newParent : parent);
        }
    }

    /** The vendor's session id. */
    public record Session(String id) {
        static final Session NONE = new Session(null);
    }

    /** The vendor's trace (request correlation) id. */
    public record Trace(String id) {
        static final Trace NONE = new Trace(null);
    }

    /** The source of the request: the client's IP address. */
    public record Src(String ip) {
        static final Src NONE = new Src(null);
    }

    /** How the actor authenticated ({@code password}, {@code saml}, ...), as the vendor names it. */
    public record Auth(String method) {
        static final Auth NONE = new Auth(null);
    }

    /** The vendor service that recorded the event, and its version. */
    public record Service(String name, String version) {
        static final Service NONE = new Service(null, null);
    }

    /**
     * What a mapper found besides the schema 1.0 fields; every part may be null.
     *
     * @param labels vendor attributes with no field of their own
     */
    public record Context(String actorType, String onBehalfOf, String resourceParent, String sessionId,
                          String traceId, String srcIp, String userAgent, String authMethod, String serviceName,
                          String serviceVersion, Map<String, String> labels) {
    }
}
