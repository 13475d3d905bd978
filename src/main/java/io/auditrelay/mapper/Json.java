package io.auditrelay.mapper;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/** The shared Jackson configuration and canonical JSON rendering. */
public final class Json {

    /**
     * The one configured mapper: java.time support, ISO dates rather than numbers, lossless decimals,
     * unknown properties ignored, and anything after the value an error (a line holding two records, or records
     * joined by bare CR line breaks, must not read as its first record alone). Thread-safe once built; do not
     * reconfigure it.
     */
    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .addModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private Json() {
    }

    /**
     * Renders a node as canonical JSON: object keys sorted (by code point) at every depth,
     * array order kept, no insignificant whitespace. A Java {@code null} renders as {@code null}.
     */
    public static String canonical(JsonNode node) {
        StringWriter out = new StringWriter();
        try (JsonGenerator gen = MAPPER.getFactory().createGenerator(out)) {
            write(gen, node);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    private static void write(JsonGenerator gen, JsonNode node) throws IOException {
        if (node == null || node.isMissingNode() || node.isNull()) {
            gen.writeNull();
        } else if (node.isObject()) {
            List<String> names = new ArrayList<>();
            node.fieldNames().forEachRemaining(names::add);
            names.sort(null);
            gen.writeStartObject();
            for (String name : names) {
                gen.writeFieldName(name);
                write(gen, node.get(name));
            }
            gen.writeEndObject();
        } else if (node.isArray()) {
            gen.writeStartArray();
            for (Iterator<JsonNode> it = node.elements(); it.hasNext(); ) {
                write(gen, it.next());
            }
            gen.writeEndArray();
        } else {
            MAPPER.writeTree(gen, node);
        }
    }
}
