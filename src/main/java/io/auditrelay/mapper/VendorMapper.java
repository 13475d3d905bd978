package io.auditrelay.mapper;

import com.fasterxml.jackson.databind.JsonNode;
import io.auditrelay.event.AuditEvent;

import java.util.List;

/**
 * A vendor's facts and the mapping of its records to the canonical event. Everything else that depends on the vendor
 * (the file inboxes, the CSV reader's header check, the files to skip, the id check of the CSV sink's repair) is
 * derived from the mappers registered in {@link Mappers}. Implementations are pure and stateless: no Camel types,
 * no I/O, safe to share between threads.
 */
public interface VendorMapper {

    /** The vendor name used in ids ({@code <vendor>:<id>}), routes and configuration, e.g. {@code astra}. */
    String vendor();

    /**
     * The columns a CSV export of this vendor must have (its header row); empty when the vendor has no CSV export, so
     * its files must be JSON lines or a JSON API response.
     */
    default List<String> csvColumns() {
        return List.of();
    }

    /**
     * Whether a file or object of this name is not an audit log but something the vendor drops beside it (e.g. a
     * delivery check), to be skipped by the sources.
     */
    default boolean skips(String fileName) {
        return false;
    }

    /**
     * Maps one record.
     *
     * @param record  the vendor record: a parsed JSON object, or a CSV row as an object of its columns
     * @param context what the record does not carry itself (receive time, configured org)
     * @throws MappingException when a field is missing or unreadable
     */
    AuditEvent map(JsonNode record, MappingContext context);
}
