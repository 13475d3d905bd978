package io.auditrelay.spine;

import org.apache.camel.Exchange;
import org.apache.camel.support.SynchronizationAdapter;

import java.util.ArrayList;
import java.util.List;

/**
 * The spine's dedupe by event id, per source unit. A record's id is claimed in memory as it enters the spine
 * (a second copy in flight is a duplicate); the unit's ids are written to the repository once, when the whole
 * unit was delivered and every sink flushed, and released if the unit failed.
 *
 * <p>Why not Camel's idempotent consumer: it registers one completion callback per record, and the records of a
 * unit share its unit of work (so nothing is confirmed before the unit is); Camel copies and sorts that unit of
 * work's callback list each time a record enters a route, which makes a large file quadratic. Here the unit
 * registers one callback, whatever its size.
 */
public class UnitDedupe {

    /** Exchange property holding the ids claimed by the current unit. */
    public static final String UNIT_IDS = "relayUnitIds";
    /** Header set to true on a record whose id was delivered or is in flight already. */
    public static final String DUPLICATE = "relayDuplicate";

    private final DedupeRepository repository;

    public UnitDedupe(DedupeRepository repository) {
        this.repository = repository;
    }

    /** Starts a unit: its ids are confirmed when the unit completes, released if it fails. */
    public void beginUnit(Exchange unit) {
        List<String> ids = new ArrayList<>();
        unit.setProperty(UNIT_IDS, ids);
        unit.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
            @Override
            public void onComplete(Exchange exchange) {
                synchronized (ids) {
                    repository.confirmAll(ids);
                }
            }

            @Override
            public void onFailure(Exchange exchange) {
                synchronized (ids) {
                    ids.forEach(repository::remove);
                }
            }
        });
    }

    /** Claims the record's id; marks the record a duplicate if the id was delivered or is in flight. */
    @SuppressWarnings("unchecked")
    public void claim(Exchange record) {
        String id = record.getMessage().getHeader(Headers.EVENT_ID, String.class);
        boolean fresh = repository.add(id);
        record.getMessage().setHeader(DUPLICATE, !fresh);
        if (!fresh) {
            return;
        }
        List<String> ids = record.getProperty(UNIT_IDS, List.class);
        if (ids != null) {
            synchronized (ids) {
                ids.add(id);
            }
        } else {
            // a record sent on its own (not through direct:ingest-batch) is its own unit
            record.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
                @Override
                public void onComplete(Exchange exchange) {
                    repository.confirm(id);
                }

                @Override
                public void onFailure(Exchange exchange) {
                    repository.remove(id);
                }
            });
        }
    }
}
