package io.auditrelay.spine;

import io.auditrelay.event.Delivery;
import io.auditrelay.event.Headers;
import io.auditrelay.event.SourceRecord;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.auditrelay.event.AuditEvent;
import io.auditrelay.mapper.Json;
import io.auditrelay.redact.Redaction;
import io.auditrelay.mapper.MappingContext;
import io.auditrelay.mapper.MappingException;
import io.auditrelay.mapper.Mappers;
import org.apache.camel.Exchange;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * First step of the spine: turns whatever a source delivered (a chunk of {@link SourceRecord}s, one record, or
 * the text of a message) into canonical events, each kept with its source record ({@link Delivery}) for dead letters.
 * A record that can't be read or mapped is kept aside with the reason ({@link #REJECTED}) for the dead-letter store,
 * which records it once the rest of its chunk went through the sinks.
 */
public class Normalizer {

    /** Exchange property holding the records of the chunk that could not be mapped ({@code List<Rejected>}). */
    public static final String REJECTED = "relayRejected";

    /** A record that could not be read or mapped, and why. */
    public record Rejected(SourceRecord source, InvalidRecordException reason) {
    }

    private final String defaultOrg;
    private final Clock clock;
    private final RelayStats stats;
    private final Redaction redaction;

    public Normalizer(String defaultOrg, Clock clock, RelayStats stats) {
        this(defaultOrg, clock, stats, Redaction.DEFAULTS);
    }

    /** @param redaction applied to every event's raw record before it goes on (relay.redact) */
    public Normalizer(String defaultOrg, Clock clock, RelayStats stats, Redaction redaction) {
        this.defaultOrg = defaultOrg == null || defaultOrg.isBlank() ? null : defaultOrg;
        this.clock = clock;
        this.stats = stats;
        this.redaction = redaction;
    }

    /**
     * The spine's step: the body (a chunk of records, or one record) becomes a {@code List<Delivery>} of the
     * records that mapped; the others go to {@link #REJECTED}, so the chunk goes on without them.
     */
    public void normalize(Exchange exchange) {
        Object body = exchange.getMessage().getBody();
        List<?> records = body instanceof List<?> list ? list : List.of(toSourceRecord(exchange));
        List<Delivery> out = new ArrayList<>(records.size());
        List<Rejected> rejected = new ArrayList<>();
        for (Object item : records) {
            SourceRecord source = item instanceof SourceRecord record ? record
                    : parse(exchange.getMessage().getHeader(Headers.VENDOR, String.class), String.valueOf(item),
                            exchange.getMessage().getHeader(Headers.LOCATION, String.class));
            stats.read(source.vendor());
            try {
                out.add(new Delivery(map(source), source));
            } catch (InvalidRecordException e) {
                rejected.add(new Rejected(source, e));
            }
        }
        exchange.getMessage().setBody(out);
        if (!rejected.isEmpty()) {
            exchange.setProperty(REJECTED, rejected);
        }
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
            return redaction.apply(Mappers.forVendor(source.vendor())
                    .map(source.record(), new MappingContext(clock.instant(), defaultOrg)));
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
