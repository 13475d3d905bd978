package io.auditrelay.ocsf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.auditrelay.event.AuditEvent;
import io.auditrelay.event.Outcome;
import io.auditrelay.mapper.Json;

import java.time.Instant;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;

/**
 * Renders a canonical event as an OCSF 1.8.0 event of the class {@link OcsfClass#of} chooses. What no OCSF attribute
 * takes goes to {@code unmapped}; {@code raw_data} (the vendor record as JSON text) only when asked for.
 * The class table is in docs/ocsf.md.
 */
public final class OcsfEvents {

    /** The OCSF schema version the events follow ({@code metadata.version}). */
    public static final String VERSION = "1.8.0";

    private OcsfEvents() {
    }

    /** The OCSF event as JSON text (one line). */
    public static String json(AuditEvent event, boolean rawData) {
        try {
            return Json.MAPPER.writeValueAsString(of(event, rawData));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("an OCSF event could not be written", e);
        }
    }

    /** The OCSF event. */
    public static ObjectNode of(AuditEvent event, boolean rawData) {
        OcsfClass cls = OcsfClass.of(event);
        Products.Product product = Products.of(event.vendor());
        ObjectNode out = Json.MAPPER.createObjectNode();
        out.put("class_uid", cls.uid());
        out.put("class_name", cls.name());
        out.put("category_uid", cls.categoryUid());
        out.put("category_name", cls.categoryUid() == 3 ? "Identity & Access Management" : "Application Activity");
        out.put("activity_id", cls.activityId());
        out.put("activity_name", cls.activityName());
        out.put("type_uid", cls.typeUid());
        out.put("type_name", cls.name() + ": " + cls.activityName());
        out.put("severity_id", 1);
        out.put("severity", "Informational");
        Outcome outcome = event.outcome() == null ? Outcome.UNKNOWN : event.outcome();
        out.put("status_id", switch (outcome) {
            case SUCCESS -> 1;
            case FAILURE -> 2;
            case UNKNOWN -> 0;
        });
        out.put("status", switch (outcome) {
            case SUCCESS -> "Success";
            case FAILURE -> "Failure";
            case UNKNOWN -> "Unknown";
        });
        if (event.time() != null) {
            out.put("time", Instant.parse(event.time()).toEpochMilli());
        }
        out.put("message", event.action());
        out.set("metadata", metadata(event, product));
        out.set("cloud", cloud(event, product));
        ObjectNode actor = actor(event, product);
        out.set("actor", actor);
        ObjectNode unmapped = unmapped(event);
        switch (cls.uid()) {
            case OcsfClass.AUTHENTICATION, OcsfClass.ACCOUNT_CHANGE, OcsfClass.USER_ACCESS -> {
                out.set("user", OcsfClass.subjectIsActor(cls, event) ? actorUser(event) : resourceUser(event));
                if (cls.uid() == OcsfClass.USER_ACCESS) {
                    out.set("privileges", Json.MAPPER.createArrayNode().add(event.action()));
                }
                if (cls.uid() == OcsfClass.AUTHENTICATION) {
                    authentication(out, event, product);
                } else if (!OcsfClass.subjectIsActor(cls, event)) {
                    parentTo(unmapped, event);
                }
            }
            case OcsfClass.GROUP_MANAGEMENT -> {
                ObjectNode group = out.putObject("group");
                putIfPresent(group, "uid", event.resource().id());
                putIfPresent(group, "name", event.resource().name());
                putIfPresent(group, "type", event.resource().type());
                if (cls.activityId() == 1 || cls.activityId() == 2) {
                    out.set("privileges", Json.MAPPER.createArrayNode().add(event.action()));
                }
                parentTo(unmapped, event);
            }
            case OcsfClass.ENTITY_MANAGEMENT -> {
                ObjectNode entity = out.putObject("entity");
                putIfPresent(entity, "uid", event.resource().id());
                putIfPresent(entity, "name", event.resource().name());
                putIfPresent(entity, "type", event.resource().type());
                parentTo(unmapped, event);
            }
            default -> api(out, event, unmapped);
        }
        ObjectNode src = srcEndpoint(event, cls.uid() == OcsfClass.API_ACTIVITY);
        if (src != null) {
            out.set("src_endpoint", src);
        }
        if (event.userAgent() != null) {
            out.putObject("http_request").put("user_agent", event.userAgent());
        }
        if (!unmapped.isEmpty()) {
            out.set("unmapped", unmapped);
        }
        if (rawData && event.raw() != null) {
            out.put("raw_data", Json.canonical(event.raw()));
        }
        return out;
    }

    private static ObjectNode metadata(AuditEvent event, Products.Product product) {
        ObjectNode metadata = Json.MAPPER.createObjectNode();
        metadata.put("version", VERSION);
        ObjectNode p = metadata.putObject("product");
        p.put("name", product.name());
        p.put("vendor_name", product.vendorName());
        metadata.putArray("profiles").add("cloud");
        putIfPresent(metadata, "uid", event.id());
        String original = originalTime(event, product);
        putIfPresent(metadata, "original_time", original != null ? original : event.time());
        if (event.received() != null) {
            metadata.put("logged_time", Instant.parse(event.received()).toEpochMilli());
        }
        putIfPresent(metadata, "tenant_uid", event.org());
        putIfPresent(metadata, "correlation_uid", event.trace().id());
        metadata.put("log_name", event.vendor() + " audit log");
        return metadata;
    }

    /** The vendor's own time text, as written in the record (Airkit's columns in any case). */
    private static String originalTime(AuditEvent event, Products.Product product) {
        JsonNode raw = event.raw();
        if (raw == null || !raw.isObject()) {
            return null;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = raw.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            if (field.getKey().trim().equalsIgnoreCase(product.timeField()) && field.getValue().isValueNode()
                    && !field.getValue().isNull() && !field.getValue().asText().isBlank()) {
                return field.getValue().asText();
            }
        }
        return null;
    }

    private static ObjectNode cloud(AuditEvent event, Products.Product product) {
        ObjectNode cloud = Json.MAPPER.createObjectNode();
        cloud.put("provider", product.name());
        if (event.org() != null) {
            cloud.putObject("account").put("uid", event.org());
        }
        return cloud;
    }

    /** {@code actor.user} when the event names the actor; else the vendor's service acted ({@code app_name}). */
    private static ObjectNode actor(AuditEvent event, Products.Product product) {
        ObjectNode actor = Json.MAPPER.createObjectNode();
        ObjectNode user = actorUser(event);
        if (user != null) {
            actor.set("user", user);
        } else {
            actor.put("app_name", event.service().name() != null ? event.service().name() : product.name());
        }
        if (event.session().id() != null) {
            actor.putObject("session").put("uid", event.session().id());
        }
        return actor;
    }

    private static ObjectNode actorUser(AuditEvent event) {
        AuditEvent.Actor actor = event.actor();
        if (actor == null || actor.id() == null && actor.email() == null) {
            return null;
        }
        ObjectNode user = Json.MAPPER.createObjectNode();
        putIfPresent(user, "uid", actor.id());
        user.put("name", actor.email() != null ? actor.email() : actor.id());
        putIfPresent(user, "email_addr", actor.email());
        String kind = actor.type();
        if (AuditEvent.Actor.USER.equals(kind)) {
            user.put("type_id", 1).put("type", "User");
        } else if (AuditEvent.Actor.SERVICE_ACCOUNT.equals(kind)) {
            user.put("type_id", 4).put("type", "Service");
        } else if (AuditEvent.Actor.API_KEY.equals(kind)) {
            user.put("type_id", 99).put("type", "API Key");
        } else {
            user.put("type_id", 0).put("type", "Unknown");
        }
        return user;
    }

    private static ObjectNode resourceUser(AuditEvent event) {
        AuditEvent.Resource resource = event.resource();
        ObjectNode user = Json.MAPPER.createObjectNode();
        putIfPresent(user, "uid", resource.id());
        putIfPresent(user, "name", resource.name() != null ? resource.name() : resource.id());
        String email = resource.name() != null && resource.name().contains("@") ? resource.name()
                : resource.id() != null && resource.id().matches("[^@\\s/]+@[^@\\s/]+") ? resource.id() : null;
        putIfPresent(user, "email_addr", email);
        return user;
    }

    /** The session, the protocol, and the service logged on to (the vendor's service, else its product). */
    private static void authentication(ObjectNode out, AuditEvent event, Products.Product product) {
        ObjectNode service = out.putObject("service");
        service.put("name", event.service().name() != null ? event.service().name() : product.name());
        putIfPresent(service, "version", event.service().version());
        if (event.session().id() != null) {
            out.putObject("session").put("uid", event.session().id());
        }
        String method = event.auth().method();
        if (method != null) {
            String lower = method.toLowerCase(Locale.ROOT);
            int id = lower.contains("saml") ? 5 : lower.contains("oidc") || lower.contains("openid") ? 4
                    : lower.contains("oauth") ? 6 : 99;
            out.put("auth_protocol_id", id);
            out.put("auth_protocol", id == 99 ? method : id == 5 ? "SAML" : id == 4 ? "OpenID" : "OAUTH 2.0");
        }
    }

    private static void api(ObjectNode out, AuditEvent event, ObjectNode unmapped) {
        ObjectNode api = out.putObject("api");
        api.put("operation", event.action());
        if (event.service().name() != null) {
            ObjectNode service = api.putObject("service");
            service.put("name", event.service().name());
            putIfPresent(service, "version", event.service().version());
        }
        if (event.trace().id() != null) {
            api.putObject("request").put("uid", event.trace().id());
        }
        AuditEvent.Resource resource = event.resource();
        if (resource != null && (resource.id() != null || resource.name() != null)) {
            ArrayNode resources = out.putArray("resources");
            ObjectNode item = resources.addObject();
            putIfPresent(item, "uid", resource.id());
            putIfPresent(item, "name", resource.name());
            putIfPresent(item, "type", resource.type());
            putIfPresent(item, "namespace", resource.parent());
        } else if (resource != null && resource.type() != null) {
            unmapped.put("resource_type", resource.type());
        }
    }

    /** Where the request came from; API Activity requires it, so an unknown source is named {@code unknown}. */
    private static ObjectNode srcEndpoint(AuditEvent event, boolean required) {
        if (event.src().ip() != null) {
            ObjectNode src = Json.MAPPER.createObjectNode();
            src.put("ip", event.src().ip());
            return src;
        }
        if (!required) {
            return null;
        }
        ObjectNode src = Json.MAPPER.createObjectNode();
        src.put("name", "unknown");
        return src;
    }

    private static void parentTo(ObjectNode unmapped, AuditEvent event) {
        if (event.resource() != null && event.resource().parent() != null) {
            unmapped.put("resource_parent", event.resource().parent());
        }
    }

    /** The canonical fields no OCSF attribute of the chosen class takes. */
    private static ObjectNode unmapped(AuditEvent event) {
        ObjectNode unmapped = Json.MAPPER.createObjectNode();
        unmapped.put("vendor", event.vendor());
        unmapped.put("action", event.action());
        if (event.activity() != null) {
            unmapped.put("activity", event.activity().value());
        }
        putIfPresent(unmapped, "auth_method", event.auth().method());
        putIfPresent(unmapped, "service_name", event.service().name());
        putIfPresent(unmapped, "service_version", event.service().version());
        putIfPresent(unmapped, "on_behalf_of", event.actor() == null ? null : event.actor().onBehalfOf());
        if (!event.labels().isEmpty()) {
            ObjectNode labels = unmapped.putObject("labels");
            event.labels().forEach(labels::put);
        }
        return unmapped;
    }

    private static void putIfPresent(ObjectNode node, String name, String value) {
        if (value != null) {
            node.put(name, value);
        }
    }
}
