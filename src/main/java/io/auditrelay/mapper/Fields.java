package io.auditrelay.mapper;

import com.fasterxml.jackson.databind.JsonNode;
import io.auditrelay.event.AuditEvent;

import java.util.Iterator;
import java.util.Map;
import java.util.regex.Pattern;

/** Null-safe reads of record fields; empty strings and JSON nulls count as absent. */
final class Fields {

    private Fields() {
    }

    /** The field as text, or null when missing, null or blank. Numbers and booleans are rendered as text. */
    static String text(JsonNode node, String field) {
        if (node == null || !node.isObject()) {
            return null;
        }
        return text(node.get(field));
    }

    /** The node as text, or null when missing, null, blank or a container. */
    static String text(JsonNode value) {
        if (value == null || value.isNull() || value.isMissingNode() || value.isContainerNode()) {
            return null;
        }
        String text = value.asText();
        return text.isBlank() ? null : text;
    }

    /** The first present text among the keys, looked up in the object itself. */
    static String first(JsonNode node, String... keys) {
        for (String key : keys) {
            String value = text(node, key);
            if (value != null) {
                return value;
            }
        }
        return null;
    }

    /** Like {@link #first}, then the same keys in each directly nested object, in field order. */
    static String firstDeep(JsonNode node, String... keys) {
        String value = first(node, keys);
        if (value != null || node == null || !node.isObject()) {
            return value;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            JsonNode child = it.next().getValue();
            if (child.isObject()) {
                value = first(child, keys);
                if (value != null) {
                    return value;
                }
            }
        }
        return null;
    }

    /** The field as text, or a {@link MappingException} naming it when absent. */
    static String required(JsonNode node, String field) {
        String value = text(node, field);
        if (value == null) {
            throw new MappingException(field, "missing or empty");
        }
        return value;
    }

    /** Throws unless the record is a JSON object. */
    static void requireObject(JsonNode record) {
        if (record == null || !record.isObject()) {
            throw new MappingException("record", "not a JSON object");
        }
    }

    /** The context's receive time, ISO-8601 UTC. */
    static String received(MappingContext context) {
        if (context == null || context.received() == null) {
            throw new IllegalArgumentException("mapping context has no receive time");
        }
        return Timestamps.format(context.received());
    }

    /** The context's default organization, or null. */
    static String defaultOrg(MappingContext context) {
        return context == null ? null : context.defaultOrg();
    }

    /** Compiled once: {@code String.matches} and {@code replaceAll} compile per call. */
    private static final Pattern EMAIL = Pattern.compile("[^@\\s]+@[^@\\s]+");
    private static final Pattern NOT_LETTER = Pattern.compile("[^A-Z]");

    /** Payload keys that hold the client's IP address, in the spellings vendors use. */
    private static final String[] IP_KEYS = {"sourceIp", "sourceIP", "source_ip", "clientIp", "clientIP", "client_ip",
        "ipAddress", "ip_address", "remoteAddress", "remote_address", "remoteAddr", "ip"};

    /** Payload keys that hold the client's user agent. */
    private static final String[] USER_AGENT_KEYS = {"userAgent", "user_agent", "User-Agent", "user-agent"};

    /** The client IP address a payload names (top level or one level down), or null. */
    static String srcIp(JsonNode payload) {
        return firstDeep(payload, IP_KEYS);
    }

    /** The user agent a payload names (top level or one level down), or null. */
    static String userAgent(JsonNode payload) {
        return firstDeep(payload, USER_AGENT_KEYS);
    }

    /**
     * A vendor's word for the kind of principal as {@code user}, {@code service_account} or {@code api_key};
     * null when it names none of them.
     */
    static String actorType(String vendorValue) {
        if (vendorValue == null) {
            return null;
        }
        String words = NOT_LETTER.matcher(vendorValue.toUpperCase(java.util.Locale.ROOT)).replaceAll("");
        if (words.contains("APIKEY") || words.contains("TOKEN")) {
            return AuditEvent.Actor.API_KEY;
        }
        if (words.contains("SERVICE") || words.contains("APPLICATION") || words.contains("MACHINE")) {
            return AuditEvent.Actor.SERVICE_ACCOUNT;
        }
        if (words.contains("USER") || words.contains("HUMAN") || words.contains("PASSWORD")
                || words.contains("SAML") || words.contains("SSO") || words.contains("OIDC")) {
            return AuditEvent.Actor.USER;
        }
        return null;
    }

    /** Whether a value looks like an e-mail address. */
    static boolean isEmail(String value) {
        return value != null && EMAIL.matcher(value).matches();
    }
}
