package io.auditrelay.event;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One vendor record on its way from a source to the spine.
 *
 * @param vendor   which mapper reads it
 * @param record   the parsed record (JSON object or CSV row as an object), or null when it could not be parsed
 * @param text     the record as it was read, for the dead-letter store
 * @param location where it came from: {@code file:line}, {@code topic/partition/offset}, an API page...
 * @param problem  why the source could not parse it, or null
 */
public record SourceRecord(String vendor, JsonNode record, String text, String location, String problem) {

    public static SourceRecord parsed(String vendor, JsonNode record, String text, String location) {
        return new SourceRecord(vendor, record, text, location, null);
    }

    public static SourceRecord unparsable(String vendor, String text, String location, String problem) {
        return new SourceRecord(vendor, null, text, location, problem);
    }
}
