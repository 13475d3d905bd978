package io.auditrelay.spine;

import io.auditrelay.event.Delivery;
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

    private final DedupeRepository repository;
    private final RelayStats stats;

    public UnitDedupe(DedupeRepository repository, RelayStats stats) {
        this.repository = repository;
        this.stats = stats;
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

    /**
     * Claims the ids of a chunk ({@code List<Delivery>} body): the body keeps the events whose id was neither
     * delivered before nor is in flight (also earlier in the same chunk); the others are counted as duplicates.
     */
    @SuppressWarnings("unchecked")
    public void claim(Exchange chunk) {
        List<Delivery> deliveries = chunk.getMessage().getBody(List.class);
        List<String> all = new ArrayList<>(deliveries.size());
        for (Delivery delivery : deliveries) {
            all.add(delivery.event().id());
        }
        boolean[] isNew = repository.addAll(all);
        List<Delivery> fresh = new ArrayList<>(deliveries.size());
        List<String> claimed = new ArrayList<>(deliveries.size());
        for (int i = 0; i < isNew.length; i++) {
            if (isNew[i]) {
                fresh.add(deliveries.get(i));
                claimed.add(all.get(i));
            } else {
                stats.duplicate(deliveries.get(i).vendor());
            }
        }
        chunk.getMessage().setBody(fresh);
        List<String> ids = chunk.getProperty(UNIT_IDS, List.class);
        if (ids != null) {
            synchronized (ids) {
                ids.addAll(claimed);
            }
        } else if (!claimed.isEmpty()) {
            // a chunk sent on its own (not through direct:ingest-batch, e.g. by the dead-letter replay) is its own unit
            chunk.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
                @Override
                public void onComplete(Exchange exchange) {
                    repository.confirmAll(claimed);
                }

                @Override
                public void onFailure(Exchange exchange) {
                    claimed.forEach(repository::remove);
                }
            });
        }
    }
}
