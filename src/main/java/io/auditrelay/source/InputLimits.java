package io.auditrelay.source;

import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import io.auditrelay.event.ReceivedJson;
import io.auditrelay.mapper.Json;
import io.auditrelay.settings.Settings;
import org.apache.camel.CamelContext;

/**
 * The bounds every reader of vendor input keeps to, so one hostile file, object or message can neither exhaust the
 * heap nor stop the records around it: the size of one record (a line, a CSV record, a JSON entry, a message), of one
 * CSV field, the number of CSV columns, the decompressed size and compression ratio of a gzipped input (checked while
 * it inflates) and the nesting depth of a JSON record. The defaults are far above what a real audit log holds; each is
 * a {@code relay.input.*} property.
 */
public final class InputLimits {

    public static final long MIB = 1024L * 1024;

    /** The built-in defaults. */
    public static final InputLimits DEFAULTS = new InputLimits(8 * MIB, MIB, 1000, 4096 * MIB, 200, 500);

    private final long maxRecordBytes;
    private final long maxFieldLength;
    private final int maxColumns;
    private final long maxDecompressedBytes;
    private final int maxCompressionRatio;
    private final int maxNestingDepth;
    private final ObjectMapper mapper;
    private final ObjectReader noRepeatedKeys;

    public InputLimits(long maxRecordBytes, long maxFieldLength, int maxColumns, long maxDecompressedBytes,
                       int maxCompressionRatio, int maxNestingDepth) {
        this.maxRecordBytes = positive("max-record-bytes", maxRecordBytes);
        this.maxFieldLength = positive("max-field-length", maxFieldLength);
        this.maxColumns = (int) positive("max-columns", maxColumns);
        this.maxDecompressedBytes = positive("max-decompressed-bytes", maxDecompressedBytes);
        this.maxCompressionRatio = (int) positive("max-compression-ratio", maxCompressionRatio);
        this.maxNestingDepth = (int) positive("max-nesting-depth", maxNestingDepth);
        ObjectMapper copy = Json.MAPPER.copy();
        copy.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(this.maxNestingDepth)
                .maxStringLength((int) Math.min(Integer.MAX_VALUE, this.maxFieldLength))
                .maxDocumentLength(this.maxRecordBytes)
                .build());
        this.mapper = copy;
        this.noRepeatedKeys = copy.readerFor(JsonNode.class).with(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
                .with(ReceivedJson.NODES);
    }

    /** The limits of the {@code relay.input.*} properties, each defaulting to {@link #DEFAULTS}. */
    public static InputLimits from(Settings settings) {
        return new InputLimits(
                number(settings, "relay.input.max-record-bytes", DEFAULTS.maxRecordBytes),
                number(settings, "relay.input.max-field-length", DEFAULTS.maxFieldLength),
                (int) number(settings, "relay.input.max-columns", DEFAULTS.maxColumns),
                number(settings, "relay.input.max-decompressed-bytes", DEFAULTS.maxDecompressedBytes),
                (int) number(settings, "relay.input.max-compression-ratio", DEFAULTS.maxCompressionRatio),
                (int) number(settings, "relay.input.max-nesting-depth", DEFAULTS.maxNestingDepth));
    }

    /** The limits bound in the Camel registry (the relay binds those of its properties), else the defaults. */
    public static InputLimits of(CamelContext context) {
        InputLimits bound = context == null ? null : context.getRegistry().findSingleByType(InputLimits.class);
        return bound != null ? bound : DEFAULTS;
    }

    /** These limits with the values that are set (not null) replaced: an endpoint's own options. */
    public InputLimits with(Long recordBytes, Long fieldLength, Integer columns, Long decompressedBytes,
                            Integer compressionRatio, Integer nestingDepth) {
        if (recordBytes == null && fieldLength == null && columns == null && decompressedBytes == null
                && compressionRatio == null && nestingDepth == null) {
            return this;
        }
        return new InputLimits(recordBytes != null ? recordBytes : maxRecordBytes,
                fieldLength != null ? fieldLength : maxFieldLength,
                columns != null ? columns : maxColumns,
                decompressedBytes != null ? decompressedBytes : maxDecompressedBytes,
                compressionRatio != null ? compressionRatio : maxCompressionRatio,
                nestingDepth != null ? nestingDepth : maxNestingDepth);
    }

    /** Most bytes in one record: a line, a CSV record (all its lines), a JSON entry, a message. */
    public long maxRecordBytes() {
        return maxRecordBytes;
    }

    /** Most characters in one CSV field or JSON string. */
    public long maxFieldLength() {
        return maxFieldLength;
    }

    /** Most columns of a CSV header or row. */
    public int maxColumns() {
        return maxColumns;
    }

    /** Most bytes a gzipped input may inflate to. */
    public long maxDecompressedBytes() {
        return maxDecompressedBytes;
    }

    /** Most decompressed bytes per compressed byte of a gzipped input. */
    public int maxCompressionRatio() {
        return maxCompressionRatio;
    }

    /** Deepest nesting of objects and arrays in one JSON record. */
    public int maxNestingDepth() {
        return maxNestingDepth;
    }

    /**
     * {@link #mapper()}'s reader of trees that refuses an object with a key twice; its objects are built by
     * {@link ReceivedJson#NODES}, so a record received as it came keeps its fields without a copy.
     */
    public ObjectReader noRepeatedKeys() {
        return noRepeatedKeys;
    }

    /** The relay's JSON mapper with these limits as Jackson's read constraints. */
    public ObjectMapper mapper() {
        return mapper;
    }

    @Override
    public String toString() {
        return "InputLimits[maxRecordBytes=" + maxRecordBytes + ", maxFieldLength=" + maxFieldLength + ", maxColumns="
                + maxColumns + ", maxDecompressedBytes=" + maxDecompressedBytes + ", maxCompressionRatio="
                + maxCompressionRatio + ", maxNestingDepth=" + maxNestingDepth + "]";
    }

    private static long number(Settings settings, String key, long defaultValue) {
        String value = settings.get(key, "");
        if (value.isEmpty()) {
            return defaultValue;
        }
        try {
            return Long.parseLong(value.replace("_", ""));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Property " + key + " must be a whole number, not '" + value + "'");
        }
    }

    private static long positive(String name, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException("relay.input." + name + " must be positive, not " + value);
        }
        return value;
    }
}
