package io.auditrelay.unit;

import org.apache.camel.Exchange;
import org.apache.camel.spi.Synchronization;
import org.apache.camel.support.SynchronizationAdapter;

import java.util.ArrayList;
import java.util.List;

/**
 * The lifecycle of one source unit (an API page, a Kafka poll batch, a Pulsar message, an S3 object, a file) across
 * Kamelets. A source consumer starts the unit on the exchange it creates ({@link #begin}); what must happen only when
 * the whole unit went through (recording its ids in the dedupe store) is registered with {@link #onCompletion} and
 * runs in the source exchange's completion, before the source acknowledges the unit.
 *
 * <p>Why not only the exchange's own completion: Camel runs each Kamelet on a copy of the exchange with a lifecycle of
 * its own (KameletProducer), so a completion registered inside the {@code audit-normalize-action} Kamelet would run
 * when that Kamelet returns, before the sink Kamelet had the events. The unit travels as an exchange property, which
 * Camel copies into every Kamelet's exchange and back, so every step of a Pipe reaches the same unit.
 */
public final class SourceUnit {

    /** Exchange property holding the unit. */
    public static final String PROPERTY = "relaySourceUnit";

    private final List<Synchronization> completions = new ArrayList<>();

    private SourceUnit() {
    }

    /**
     * Starts a unit on a source's exchange. The unit's completions run in the exchange's completion, before
     * {@code acknowledgement} (which acknowledges the unit on success and leaves it to be read again on failure).
     */
    public static void begin(Exchange exchange, Synchronization acknowledgement) {
        SourceUnit unit = new SourceUnit();
        exchange.setProperty(PROPERTY, unit);
        exchange.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
            @Override
            public void onDone(Exchange done) {
                for (Synchronization completion : unit.completions()) {
                    if (done.isFailed()) {
                        completion.onFailure(done);
                    } else {
                        completion.onComplete(done);
                    }
                }
                if (done.isFailed()) {
                    acknowledgement.onFailure(done);
                } else {
                    acknowledgement.onComplete(done);
                }
            }
        });
    }

    /**
     * Runs {@code completion} when the unit the exchange belongs to is done: the source's unit when the exchange
     * carries one (also inside a Kamelet), else the exchange's own completion.
     */
    public static void onCompletion(Exchange exchange, Synchronization completion) {
        SourceUnit unit = exchange.getProperty(PROPERTY, SourceUnit.class);
        if (unit == null) {
            exchange.getExchangeExtension().addOnCompletion(completion);
        } else {
            synchronized (unit) {
                unit.completions.add(completion);
            }
        }
    }

    private synchronized List<Synchronization> completions() {
        return List.copyOf(completions);
    }
}
