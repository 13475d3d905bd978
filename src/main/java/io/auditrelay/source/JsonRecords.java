package io.auditrelay.source;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.auditrelay.event.ReceivedJson;
import io.auditrelay.event.SourceRecord;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.function.UnaryOperator;

/**
 * Parses one JSON record (a line, an entry, a message) within {@link InputLimits}: a record over the size limit is not
 * parsed at all, invalid UTF-8 is named, and Jackson enforces the nesting depth and string length while it parses. A
 * record that breaks a limit or is not a JSON object comes out as an unparsable record with the reason. A record of one
 * line whose objects have no key twice is a {@link ReceivedJson}: the sinks write it as it came.
 */
public final class JsonRecords {

    private final InputLimits limits;

    public JsonRecords(InputLimits limits) {
        this.limits = limits;
    }

    public InputLimits limits() {
        return limits;
    }

    /**
     * The record of a message payload: over the record limit or not UTF-8, it is dead-lettered unparsed. The record
     * may keep the array to write it as received: the caller gives it up (Kafka's deserializer and Pulsar's
     * unpooled messages hand out an array of the message's own).
     */
    public SourceRecord parse(String vendor, byte[] payload, String location) {
        return parse(vendor, payload, location, UnaryOperator.identity());
    }

    /**
     * {@link #parse(String, byte[], String)} of a payload whose text is reshaped before it is parsed (a binary-mode
     * CloudEvent rebuilt to structured JSON): the limits and the UTF-8 check apply to the payload as it came.
     */
    public SourceRecord parse(String vendor, byte[] payload, String location, UnaryOperator<String> shape) {
        if (payload == null) {
            return SourceRecord.unparsable(vendor, null, location, "empty record");
        }
        if (payload.length > limits.maxRecordBytes()) {
            return tooLarge(vendor, LineSource.lenient(payload, 0, Math.min(payload.length, LineSource.PREFIX)),
                    payload.length, location);
        }
        String text = new String(payload, StandardCharsets.UTF_8);
        if (text.indexOf('\uFFFD') >= 0) {
            int bad = LineSource.invalidUtf8(payload, payload.length);
            if (bad >= 0) {
                return SourceRecord.unparsable(vendor, text, location, "invalid UTF-8 at byte " + (bad + 1));
            }
        }
        String shaped = shape.apply(text);
        // a payload taken as it came is parsed from its bytes, and a record written as received writes them
        return shaped == text ? parse(vendor, text, payload, location) : parse(vendor, shaped, location);
    }

    /**
     * The tree of a text whose objects have no key twice (then it says what the text says), else null; read from
     * the text's UTF-8 bytes when given (Jackson's byte parser, without a copy of the text into chars).
     */
    private JsonNode withoutRepeatedKeys(String text, byte[] utf8) {
        try {
            return utf8 != null ? limits.noRepeatedKeys().readTree(utf8) : limits.noRepeatedKeys().readTree(text);
        } catch (IOException e) {
            return null;
        }
    }

    /** Whether a CR in the text is followed by something other than LF (lines are split at LF only). */
    private static boolean hasBareCr(String text) {
        for (int i = text.indexOf('\r'); i >= 0; i = text.indexOf('\r', i + 1)) {
            if (i + 1 < text.length() && text.charAt(i + 1) != '\n') {
                return true;
            }
        }
        return false;
    }

    /** A record of {@code size} bytes (as told by the source, e.g. Kafka's serialized size) that is too large. */
    public SourceRecord tooLarge(String vendor, String prefix, long size, String location) {
        return SourceRecord.unparsable(vendor, prefix, location, "record of " + size + " bytes is larger than"
                + " relay.input.max-record-bytes (" + limits.maxRecordBytes() + " bytes); not parsed");
    }

    /** True when a record of {@code size} bytes is over the record limit. */
    public boolean tooLarge(long size) {
        return size > limits.maxRecordBytes();
    }

    /** Parses the text of one JSON record; every failure is an unparsable record, not an exception. */
    public SourceRecord parse(String vendor, String text, String location) {
        return parse(vendor, text, null, location);
    }

    /** {@link #parse(String, String, String)} of a text with its UTF-8 bytes ({@code utf8}), or null. */
    private SourceRecord parse(String vendor, String text, byte[] utf8, String location) {
        if (text == null || text.isBlank()) {
            return SourceRecord.unparsable(vendor, text, location, "empty record");
        }
        if (text.length() > limits.maxRecordBytes()) {
            return tooLarge(vendor, text.substring(0, Math.min(text.length(), LineSource.PREFIX)), text.length(), location);
        }
        try {
            JsonNode node = withoutRepeatedKeys(text, utf8);
            if (node instanceof ObjectNode object) {
                return SourceRecord.parsed(vendor, ReceivedJson.of(object, text, utf8), text, location);
            }
            if (node == null) {
                node = limits.mapper().readTree(text); // the usual error, or the tree with the last of a repeated key
            }
            if (node == null || !node.isObject()) {
                return SourceRecord.unparsable(vendor, text, location, "not a JSON object");
            }
            return SourceRecord.parsed(vendor, node, text, location);
        } catch (JsonProcessingException e) {
            return SourceRecord.unparsable(vendor, text, location, "not valid JSON: " + e.getOriginalMessage()
                    + (hasBareCr(text) ? " (the line holds bare CR line breaks: save the file with LF or CRLF line"
                    + " endings)" : ""));
        }
    }
}
