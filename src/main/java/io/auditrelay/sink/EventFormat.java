package io.auditrelay.sink;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.auditrelay.event.AuditEvent;
import io.auditrelay.mapper.Json;
import io.auditrelay.ocsf.OcsfEvents;

import java.util.Locale;

/**
 * What a sink writes for an event: the canonical event ({@code format=canonical}, the default) or its OCSF rendering
 * ({@code format=ocsf}, with {@code raw_data} only when {@code ocsfRawData=true}).
 *
 * @param ocsf    whether events are written as OCSF
 * @param rawData with OCSF, whether {@code raw_data} holds the vendor record
 */
public record EventFormat(boolean ocsf, boolean rawData) {

    public static final EventFormat CANONICAL = new EventFormat(false, false);

    /**
     * The format named by a sink's {@code format} option ({@code canonical} or {@code ocsf}; empty is canonical).
     *
     * @throws IllegalArgumentException for any other name
     */
    public static EventFormat of(String name, boolean rawData) {
        String format = name == null || name.isBlank() ? "canonical" : name.trim().toLowerCase(Locale.ROOT);
        return switch (format) {
            case "canonical" -> CANONICAL;
            case "ocsf" -> new EventFormat(true, rawData);
            default -> throw new IllegalArgumentException("format must be canonical or ocsf, not '" + name + "'");
        };
    }

    /** The event as one line of JSON. */
    public String json(AuditEvent event) throws JsonProcessingException {
        return ocsf ? OcsfEvents.json(event, rawData) : Json.MAPPER.writeValueAsString(event);
    }

    /** The event as UTF-8 JSON. */
    public byte[] bytes(AuditEvent event) throws JsonProcessingException {
        return ocsf ? Json.MAPPER.writeValueAsBytes(OcsfEvents.of(event, rawData)) : Json.MAPPER.writeValueAsBytes(event);
    }

    /** The event as a JSON tree. */
    public JsonNode tree(AuditEvent event) {
        return ocsf ? OcsfEvents.of(event, rawData) : Json.MAPPER.valueToTree(event);
    }

    /** The canonical id of a line this format wrote: {@code id}, or OCSF's {@code metadata.uid}. */
    public static String idOf(JsonNode line) {
        if (line == null || !line.isObject()) {
            return null;
        }
        if (line.hasNonNull("id")) {
            return line.get("id").asText();
        }
        JsonNode uid = line.path("metadata").path("uid");
        return uid.isTextual() ? uid.asText() : null;
    }
}
