package io.auditrelay.spine.normalize;

import io.auditrelay.redact.Redaction;
import io.auditrelay.event.AuditEvent;
import io.auditrelay.event.OneByOne;
import io.auditrelay.spine.DeadLetterStore;
import io.auditrelay.spine.DedupeRepository;
import io.auditrelay.spine.UnitDedupe;
import io.auditrelay.event.Headers;
import io.auditrelay.spine.InvalidRecordException;
import io.auditrelay.spine.Normalizer;
import io.auditrelay.spine.RelayStats;
import io.auditrelay.event.SourceRecord;
import io.auditrelay.unit.SourceUnit;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.support.DefaultProducer;
import org.apache.camel.support.SynchronizationAdapter;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * A source unit in (a list or stream of {@link SourceRecord}s, or one record as a {@code SourceRecord} or JSON text),
 * its new canonical events out: a {@code List<AuditEvent>} for a list, a stream ({@code Iterator<AuditEvent>},
 * mapped as it is read, so a large file is never held whole) for a stream. A record that can't be read or mapped
 * goes to the dead-letter store; an event whose id was delivered before (or is earlier in the unit) is dropped.
 * The unit's ids are claimed as they are mapped and recorded for good when the unit completes ({@link SourceUnit}),
 * released if it fails, so the unit's events count as new when its source reads it again.
 */
class NormalizeProducer extends DefaultProducer {

    private final String vendor;
    private final Normalizer normalizer;
    private final DedupeRepository dedupe;
    private final DeadLetterStore deadLetters;
    private final RelayStats stats;

    NormalizeProducer(NormalizeEndpoint endpoint, DedupeRepository dedupe, DeadLetterStore deadLetters, RelayStats stats,
                      Clock clock, Redaction redaction) {
        super(endpoint);
        this.vendor = endpoint.getVendor();
        this.normalizer = new Normalizer(endpoint.getOrg(), clock, stats, redaction);
        this.dedupe = dedupe;
        this.deadLetters = deadLetters;
        this.stats = stats;
    }

    @Override
    public void process(Exchange exchange) {
        Message message = exchange.getMessage();
        Object body = message.getBody();
        String location = message.getHeader(Headers.LOCATION, String.class);
        String unitVendor = message.getHeader(Headers.VENDOR, vendor, String.class);
        Iterator<?> records = body instanceof Iterable<?> || body instanceof Iterator<?> ? OneByOne.of(body)
                : OneByOne.of(body instanceof SourceRecord ? body : message.getBody(String.class));
        List<String> claimed = new ArrayList<>();
        SourceUnit.onCompletion(exchange, new SynchronizationAdapter() {
            @Override
            public void onComplete(Exchange done) {
                synchronized (claimed) {
                    dedupe.confirmAll(claimed);
                }
            }

            @Override
            public void onFailure(Exchange failed) {
                synchronized (claimed) {
                    claimed.forEach(dedupe::remove);
                }
            }
        });
        Events events = new Events(records, unitVendor, location, claimed);
        if (body instanceof Iterator<?>) {
            message.setBody(events);
        } else {
            List<AuditEvent> all = new ArrayList<>();
            events.forEachRemaining(all::add);
            message.setBody(all);
        }
    }

    /** The unit's new events, mapped as they are read. */
    private final class Events implements Iterator<AuditEvent> {

        private final Iterator<?> records;
        private final String vendor;
        private final String location;
        private final List<String> claimed;
        private AuditEvent next;

        Events(Iterator<?> records, String vendor, String location, List<String> claimed) {
            this.records = records;
            this.vendor = vendor;
            this.location = location;
            this.claimed = claimed;
        }

        @Override
        public boolean hasNext() {
            while (next == null && records.hasNext()) {
                next = map(records.next());
            }
            return next != null;
        }

        @Override
        public AuditEvent next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            AuditEvent event = next;
            next = null;
            return event;
        }

        /** The record's event when it is new, null when it was dead-lettered or is a duplicate. */
        private AuditEvent map(Object item) {
            SourceRecord source = item instanceof SourceRecord record ? record : Normalizer.parse(vendor, String.valueOf(item), location);
            stats.read(source.vendor());
            AuditEvent event;
            try {
                event = normalizer.map(source);
            } catch (InvalidRecordException e) {
                deadLetters.recordInvalid(source, e);
                return null;
            }
            DedupeRepository.Claim claim = dedupe.claimAll(List.of(event.id()),
                    new long[] {UnitDedupe.contentHash(event)})[0];
            if (claim == DedupeRepository.Claim.CONFLICT) {
                deadLetters.recordInvalid(source, UnitDedupe.conflicting(source.vendor(), source.location(), event.id()));
                return null;
            }
            if (claim == DedupeRepository.Claim.DUPLICATE) {
                stats.duplicate(source.vendor());
                return null;
            }
            synchronized (claimed) {
                claimed.add(event.id());
            }
            return event;
        }
    }
}
