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

    private ReceivedJson(ObjectNode parsed, String text, byte[] utf8) {
        super(JsonNodeFactory.instance, Collections.unmodifiableMap(children(parsed)));
        this.text = new Utf8Text(text, utf8);
    }

    /**
     * The text with its UTF-8 bytes, as received or encoded once by the JDK: a generator that writes bytes copies
     * them ({@code writeRawValue(String)} encodes char by char, which cost more than writing the tree).
     */
    private static final class Utf8Text extends SerializedString {
        private static final long serialVersionUID = 1L;

        Utf8Text(String text, byte[] utf8) {
            super(text);
            _unquotedUTF8Ref = utf8;
        }
    }

    /**
     * The node factory of a reader whose objects {@link #of} takes as they are: their fields are not copied into a
     * new map (the parsed object is given up to the record; other objects are copied).
     */
    public static final JsonNodeFactory NODES = new Nodes();

    private static final class Nodes extends JsonNodeFactory {
        private static final long serialVersionUID = 1L;

        @Override
        public ObjectNode objectNode() {
            return new Parsed(this);
        }
    }

    /** An object built by {@link #NODES}: a plain {@link ObjectNode} whose field map {@link #of} can take. */
    private static final class Parsed extends ObjectNode {
        private static final long serialVersionUID = 1L;

        Parsed(JsonNodeFactory nodes) {
            super(nodes);
        }

        Map<String, JsonNode> children() {
            return _children;
        }
    }

    private static Map<String, JsonNode> children(ObjectNode parsed) {
        if (parsed instanceof Parsed fields) {
            return fields.children();
        }
        Map<String, JsonNode> children = new LinkedHashMap<>();
        parsed.fields().forEachRemaining(field -> children.put(field.getKey(), field.getValue()));
        return children;
    }

    /**
     * The record written as {@code text} (the text it was parsed from, without repeated keys), or the record itself
     * when the text holds a line break. {@code utf8}, the bytes {@code text} was decoded from (or null), are written
     * as they are, not encoded again, when the text has no white space around it to strip. The caller gives up the
     * array, and {@code parsed} when {@link #NODES} built it.
     */
    public static ObjectNode of(ObjectNode parsed, String text, byte[] utf8) {
        if (text.indexOf('\n') >= 0 || text.indexOf('\r') >= 0) {
            return parsed;
        }
        String stripped = text.strip();
        return new ReceivedJson(parsed, stripped, utf8 != null && stripped.length() == text.length() ? utf8
                : stripped.getBytes(StandardCharsets.UTF_8));
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
