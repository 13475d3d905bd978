package io.auditrelay.spine;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.auditrelay.event.AuditEvent;
import io.auditrelay.mapper.Json;
import io.auditrelay.mapper.MappingContext;
import io.auditrelay.mapper.MappingException;
import io.auditrelay.mapper.Mappers;
import org.apache.camel.Exchange;

import java.time.Clock;

/**
 * First step of the spine: turns whatever a source delivered (a {@link SourceRecord}, or the text of
 * a message) into the canonical event, and keeps the source record on the exchange for dead letters.
 */
public class Normalizer {

    /** Exchange property holding the {@link SourceRecord} the event was made from. */
    public static final String SOURCE_RECORD = "relaySourceRecord";

    private final String defaultOrg;
    private final Clock clock;
    private final RelayStats stats;

    public Normalizer(String defaultOrg, Clock clock, RelayStats stats) {
        this.defaultOrg = defaultOrg == null || defaultOrg.isBlank() ? null : defaultOrg;
        this.clock = clock;
        this.stats = stats;
    }

    public void normalize(Exchange exchange) {
        SourceRecord source = toSourceRecord(exchange);
        exchange.setProperty(SOURCE_RECORD, source);
        exchange.getMessage().setHeader(Headers.VENDOR, source.vendor());
        exchange.getMessage().setHeader(Headers.LOCATION, source.location());
        stats.read(source.vendor());

        AuditEvent event = map(source);
        exchange.getMessage().setHeader(Headers.EVENT_ID, event.id());
        exchange.getMessage().setHeader(Headers.ACTION, event.action());
        exchange.getMessage().setBody(event);
    }

    /** Maps one source record, turning every reason it can't be read into an {@link InvalidRecordException}. */
    public AuditEvent map(SourceRecord source) {
        if (source.problem() != null) {
            throw new InvalidRecordException(source.problem());
        }
        if (source.record() == null || !source.record().isObject()) {
            throw new InvalidRecordException("record is not a JSON object");
        }
        try {
            return Mappers.forVendor(source.vendor())
                    .map(source.record(), new MappingContext(clock.instant(), defaultOrg));
        } catch (MappingException e) {
            throw new InvalidRecordException(e.getMessage(), e);
        }
    }

    private static SourceRecord toSourceRecord(Exchange exchange) {
        Object body = exchange.getMessage().getBody();
        if (body instanceof SourceRecord record) {
            return record;
        }
        String vendor = exchange.getMessage().getHeader(Headers.VENDOR, String.class);
        if (vendor == null) {
            throw new IllegalStateException("a source sent a record without the " + Headers.VENDOR + " header");
        }
        String location = exchange.getMessage().getHeader(Headers.LOCATION, String.class);
        String text = exchange.getMessage().getBody(String.class);
        return parse(vendor, text, location);
    }

    /** Parses the text of one JSON record; a parse failure becomes an unparsable record, not an exception. */
    public static SourceRecord parse(String vendor, String text, String location) {
        if (text == null || text.isBlank()) {
            return SourceRecord.unparsable(vendor, text, location, "empty record");
        }
        try {
            JsonNode node = Json.MAPPER.readTree(text);
            if (node == null || !node.isObject()) {
                return SourceRecord.unparsable(vendor, text, location, "not a JSON object");
            }
            return SourceRecord.parsed(vendor, node, text, location);
        } catch (JsonProcessingException e) {
            return SourceRecord.unparsable(vendor, text, location, "not valid JSON: " + e.getOriginalMessage());
        }
    }
}
