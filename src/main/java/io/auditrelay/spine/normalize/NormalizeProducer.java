package io.auditrelay.spine.normalize;

import io.auditrelay.event.AuditEvent;
import io.auditrelay.spine.DeadLetterStore;
import io.auditrelay.spine.DedupeRepository;
import io.auditrelay.spine.Headers;
import io.auditrelay.spine.InvalidRecordException;
import io.auditrelay.spine.Normalizer;
import io.auditrelay.spine.RelayStats;
import io.auditrelay.spine.SourceRecord;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.support.DefaultProducer;
import org.apache.camel.support.SynchronizationAdapter;

import java.time.Clock;

/**
 * One record in, its canonical event out. The event's id is claimed in the dedupe store at once and recorded for
 * good when the exchange completes (the record was delivered downstream); if the exchange fails the claim is
 * released, so the record counts as new when its source reads it again.
 */
class NormalizeProducer extends DefaultProducer {

    /** Header: true when the body holds a new canonical event, false when the record was a duplicate or dead-lettered. */
    static final String ACCEPTED = "relayAccepted";

    private final String vendor;
    private final Normalizer normalizer;
    private final DedupeRepository dedupe;
    private final DeadLetterStore deadLetters;
    private final RelayStats stats;

    NormalizeProducer(NormalizeEndpoint endpoint, DedupeRepository dedupe, DeadLetterStore deadLetters, RelayStats stats,
                      Clock clock) {
        super(endpoint);
        this.vendor = endpoint.getVendor();
        this.normalizer = new Normalizer(endpoint.getOrg(), clock, stats);
        this.dedupe = dedupe;
        this.deadLetters = deadLetters;
        this.stats = stats;
    }

    @Override
    public void process(Exchange exchange) {
        Message message = exchange.getMessage();
        SourceRecord source = message.getBody() instanceof SourceRecord record ? record
                : Normalizer.parse(vendorOf(message), message.getBody(String.class), message.getHeader(Headers.LOCATION, String.class));
        stats.read(source.vendor());
        message.setHeader(Headers.VENDOR, source.vendor());
        message.setHeader(Headers.LOCATION, source.location());
        exchange.setProperty(Normalizer.SOURCE_RECORD, source);
        AuditEvent event;
        try {
            event = normalizer.map(source);
        } catch (InvalidRecordException e) {
            deadLetters.recordInvalid(source, e);
            reject(message);
            return;
        }
        if (!dedupe.add(event.id())) {
            stats.duplicate(source.vendor());
            reject(message);
            return;
        }
        String id = event.id();
        exchange.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
            @Override
            public void onComplete(Exchange done) {
                dedupe.confirm(id);
            }

            @Override
            public void onFailure(Exchange failed) {
                dedupe.remove(id);
            }
        });
        message.setHeader(Headers.EVENT_ID, id);
        message.setHeader(Headers.ACTION, event.action());
        message.setHeader(ACCEPTED, true);
        message.setBody(event);
    }

    private String vendorOf(Message message) {
        String header = message.getHeader(Headers.VENDOR, String.class);
        return header != null ? header : vendor;
    }

    private static void reject(Message message) {
        message.setHeader(ACCEPTED, false);
        message.setBody(null);
    }
}
