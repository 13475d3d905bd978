package io.auditrelay.event;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.TokenBuffer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A vendor record parsed from its text that is written as that text: an event whose {@code raw} record reaches a
 * sink unchanged (nothing redacted) carries the record as it was received instead of a serialization of its tree,
 * which took 14 % of the relay's CPU samples on the Kafka path (bench/README.md, finding 22).
 *
 * <p>The tree and the text say the same: {@link #of} takes only text with no line break (a record stays one NDJSON or
 * CSV line) that was parsed with repeated keys refused (so the tree, which redaction looks at, holds every value
 * the text holds). The object is read-only: a change throws ({@link UnsupportedOperationException}); what redaction
 * changes is a {@link #deepCopy()}, a plain {@link ObjectNode}. A generator that builds a tree ({@link TokenBuffer}:
 * {@code valueToTree}, {@code convertValue}) gets the tree, not the text; {@code Json.canonical} walks the tree.
 */
public final class ReceivedJson extends ObjectNode {

    private static final long serialVersionUID = 1L;

    private final Utf8Text text;

    private ReceivedJson(ObjectNode parsed, String text) {
        super(JsonNodeFactory.instance, Collections.unmodifiableMap(children(parsed)));
        this.text = new Utf8Text(text);
    }

    /**
     * The text with its UTF-8 bytes, encoded once by the JDK: a generator that writes bytes copies them
     * ({@code writeRawValue(String)} encodes char by char, which cost more than writing the tree).
     */
    private static final class Utf8Text extends SerializedString {
        private static final long serialVersionUID = 1L;

        Utf8Text(String text) {
            super(text);
            _unquotedUTF8Ref = text.getBytes(StandardCharsets.UTF_8);
        }
    }

    private static Map<String, JsonNode> children(ObjectNode parsed) {
        Map<String, JsonNode> children = new LinkedHashMap<>();
        parsed.fields().forEachRemaining(field -> children.put(field.getKey(), field.getValue()));
        return children;
    }

    /**
     * The record written as {@code text} (the text it was parsed from, without repeated keys), or the record itself
     * when the text holds a line break.
     */
    public static ObjectNode of(ObjectNode parsed, String text) {
        if (text.indexOf('\n') >= 0 || text.indexOf('\r') >= 0) {
            return parsed;
        }
        return new ReceivedJson(parsed, text.strip());
    }

    @Override
    public void serialize(JsonGenerator generator, SerializerProvider provider) throws IOException {
        if (generator instanceof TokenBuffer) {
            super.serialize(generator, provider);
        } else {
            generator.writeRawValue(text);
        }
    }
}
