package io.auditrelay.mapper;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Iterator;
import java.util.Map;

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

    /** Whether a value looks like an e-mail address. */
    static boolean isEmail(String value) {
        return value != null && value.matches("[^@\\s]+@[^@\\s]+");
    }
}
