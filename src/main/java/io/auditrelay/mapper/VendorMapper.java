package io.auditrelay.mapper;

import com.fasterxml.jackson.databind.JsonNode;
import io.auditrelay.event.AuditEvent;

/**
 * Turns one vendor record into the canonical event. Implementations are pure and stateless:
 * no Camel types, no I/O, safe to share between threads.
 */
public interface VendorMapper {

    /** The vendor name used in ids, routes and configuration, e.g. {@code astra}. */
    String vendor();

    /**
     * Maps one record.
     *
     * @param record  the vendor record: a parsed JSON object, or a CSV row as an object of its columns
     * @param context what the record does not carry itself (receive time, configured org)
     * @throws MappingException when a field is missing or unreadable
     */
    AuditEvent map(JsonNode record, MappingContext context);
}
