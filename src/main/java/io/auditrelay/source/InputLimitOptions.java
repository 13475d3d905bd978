package io.auditrelay.source;

import org.apache.camel.CamelContext;
import org.apache.camel.spi.UriParam;
import org.apache.camel.spi.UriParams;

/**
 * The {@link InputLimits} options of a source endpoint. An option not set takes the relay's {@code relay.input.*}
 * property (the limits bound in the registry), else the built-in default.
 */
@UriParams
public class InputLimitOptions {

    @UriParam(label = "advanced", javaType = "java.lang.Long", description = "Most bytes in one record (a line, a CSV"
            + " record, a JSON entry, a message); a longer one is dead-lettered unparsed. Default: relay.input.max-record-bytes"
            + " (8 MiB)")
    private Long maxRecordBytes;
    @UriParam(label = "advanced", javaType = "java.lang.Long", description = "Most characters in one CSV field or JSON"
            + " string. Default: relay.input.max-field-length (1 Mi characters)")
    private Long maxFieldLength;
    @UriParam(label = "advanced", javaType = "java.lang.Integer", description = "Most columns of a CSV header or row."
            + " Default: relay.input.max-columns (1000)")
    private Integer maxColumns;
    @UriParam(label = "advanced", javaType = "java.lang.Long", description = "Most bytes a gzipped input may inflate to;"
            + " checked while it inflates. Default: relay.input.max-decompressed-bytes (4 GiB)")
    private Long maxDecompressedBytes;
    @UriParam(label = "advanced", javaType = "java.lang.Integer", description = "Most decompressed bytes per compressed"
            + " byte of a gzipped input (a gzip bomb); checked while it inflates. Default: relay.input.max-compression-ratio"
            + " (200)")
    private Integer maxCompressionRatio;
    @UriParam(label = "advanced", javaType = "java.lang.Integer", description = "Deepest nesting of objects and arrays"
            + " in one JSON record. Default: relay.input.max-nesting-depth (500)")
    private Integer maxNestingDepth;

    /** The limits in force: these options over the relay's. */
    public InputLimits resolve(CamelContext context) {
        return InputLimits.of(context).with(maxRecordBytes, maxFieldLength, maxColumns, maxDecompressedBytes,
                maxCompressionRatio, maxNestingDepth);
    }

    public Long getMaxRecordBytes() {
        return maxRecordBytes;
    }

    public void setMaxRecordBytes(Long maxRecordBytes) {
        this.maxRecordBytes = maxRecordBytes;
    }

    public Long getMaxFieldLength() {
        return maxFieldLength;
    }

    public void setMaxFieldLength(Long maxFieldLength) {
        this.maxFieldLength = maxFieldLength;
    }

    public Integer getMaxColumns() {
        return maxColumns;
    }

    public void setMaxColumns(Integer maxColumns) {
        this.maxColumns = maxColumns;
    }

    public Long getMaxDecompressedBytes() {
        return maxDecompressedBytes;
    }

    public void setMaxDecompressedBytes(Long maxDecompressedBytes) {
        this.maxDecompressedBytes = maxDecompressedBytes;
    }

    public Integer getMaxCompressionRatio() {
        return maxCompressionRatio;
    }

    public void setMaxCompressionRatio(Integer maxCompressionRatio) {
        this.maxCompressionRatio = maxCompressionRatio;
    }

    public Integer getMaxNestingDepth() {
        return maxNestingDepth;
    }

    public void setMaxNestingDepth(Integer maxNestingDepth) {
        this.maxNestingDepth = maxNestingDepth;
    }
}
