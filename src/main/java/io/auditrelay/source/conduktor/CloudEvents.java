package io.auditrelay.source.conduktor;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.auditrelay.mapper.Json;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;

/**
 * CloudEvents on Kafka: a record is either in structured mode (the value is the whole event as JSON, what the
 * Conduktor doc shows) or in binary mode (the attributes are {@code ce_*} headers and the value is the data).
 * {@link #structured} rebuilds the structured JSON of a binary-mode record so the mapper sees one shape.
 */
public final class CloudEvents {

    public static final String HEADER_PREFIX = "ce_";

    private CloudEvents() {
    }

    /** True when the record carries CloudEvents binary-mode headers ({@code ce_specversion} or {@code ce_id}). */
    public static boolean isBinary(Map<String, Object> headers) {
        return headers.containsKey("ce_specversion") || headers.containsKey("ce_id");
    }

    /**
     * The structured JSON text of a record: the value itself in structured mode, else an object made of the
     * {@code ce_*} headers (without the prefix), {@code datacontenttype} from {@code content-type} and
     * {@code data} = the value (parsed when it is JSON, else as a string).
     */
    public static String structured(Map<String, Object> headers, String value) {
        if (!isBinary(headers)) {
            return value;
        }
        ObjectNode event = Json.MAPPER.createObjectNode();
        String contentType = null;
        for (Map.Entry<String, Object> header : headers.entrySet()) {
            String name = header.getKey();
            if (name.startsWith(HEADER_PREFIX) && name.length() > HEADER_PREFIX.length()) {
                event.put(name.substring(HEADER_PREFIX.length()), text(header.getValue()));
            } else if (name.equalsIgnoreCase("content-type")) {
                contentType = text(header.getValue());
            }
        }
        if (contentType != null && !event.has("datacontenttype")) {
            event.put("datacontenttype", contentType);
        }
        String type = event.path("datacontenttype").asText("application/json").toLowerCase(Locale.ROOT);
        if (value != null) {
            JsonNode data = null;
            if (type.contains("json")) {
                try {
                    data = Json.MAPPER.readTree(value);
                } catch (JsonProcessingException e) {
                    data = null;
                }
            }
            if (data != null) {
                event.set("data", data);
            } else {
                event.put("data", value);
            }
        }
        try {
            return Json.MAPPER.writeValueAsString(event);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String text(Object value) {
        if (value == null) {
            return null;
        }
        if (value instanceof byte[] bytes) {
            return new String(bytes, StandardCharsets.UTF_8);
        }
        return value.toString();
    }
}
