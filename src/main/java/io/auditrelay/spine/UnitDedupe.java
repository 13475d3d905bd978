package io.auditrelay.spine;

import io.auditrelay.event.AuditEvent;
import io.auditrelay.event.Delivery;
import io.auditrelay.event.SourceRecord;
import org.apache.camel.Exchange;
import org.apache.camel.support.SynchronizationAdapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
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
 *
 * <p>An id seen before with other content (another user's action, another time under the same id) is not a repeat:
 * it is logged and dead-lettered as a conflicting duplicate, never dropped silently. The content compared is what a
 * vendor's record says happened, as mapped: time, action, outcome, actor and resource ids and email. So the same event
 * read twice, from an export and from a stream, is a plain duplicate.
 */
public class UnitDedupe {

    private static final Logger LOG = LoggerFactory.getLogger(UnitDedupe.class);

    /**
     * Exchange property holding the ids claimed by the current unit, as their hashes ({@link IdHashSet#hash}), each
     * with its content hash as a third element.
     */
    public static final String UNIT_IDS = "relayUnitIds";

    private final DedupeRepository repository;
    private final RelayStats stats;

    public UnitDedupe(DedupeRepository repository, RelayStats stats) {
        this.repository = repository;
        this.stats = stats;
    }

    /** Starts a unit: its ids are confirmed when the unit completes, released if it fails. */
    public void beginUnit(Exchange unit) {
        List<long[]> ids = new ArrayList<>();
        unit.setProperty(UNIT_IDS, ids);
        unit.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
            @Override
            public void onComplete(Exchange exchange) {
                synchronized (ids) {
                    repository.confirmHashes(ids);
                }
            }

            @Override
            public void onFailure(Exchange exchange) {
                synchronized (ids) {
                    ids.forEach(repository::removeHash);
                }
            }
        });
    }

    /**
     * Claims the ids of a chunk ({@code List<Delivery>} body): the body keeps the events whose id was neither
     * delivered before nor is in flight (also earlier in the same chunk); the others are counted as duplicates, or,
     * when their content differs from what the id was seen with, kept aside for the dead-letter store
     * ({@link Normalizer#REJECTED}) as conflicting duplicates.
     */
    @SuppressWarnings("unchecked")
    public void claim(Exchange chunk) {
        List<Delivery> deliveries = chunk.getMessage().getBody(List.class);
        // each id is hashed once: the hash is claimed now and confirmed or released with the unit, its content hash
        // carried along to be written with it
        MessageDigest md5 = IdHashSet.md5();
        long[][] hashes = new long[deliveries.size()][];
        for (int i = 0; i < hashes.length; i++) {
            AuditEvent event = deliveries.get(i).event();
            hashes[i] = IdHashSet.hash(event.id(), md5, contentHash(event, md5));
        }
        DedupeRepository.Claim[] claims = repository.claimHashes(hashes);
        List<Delivery> fresh = new ArrayList<>(deliveries.size());
        List<long[]> claimed = new ArrayList<>(deliveries.size());
        for (int i = 0; i < claims.length; i++) {
            Delivery delivery = deliveries.get(i);
            switch (claims[i]) {
                case NEW -> {
                    fresh.add(delivery);
                    claimed.add(hashes[i]);
                }
                case DUPLICATE -> stats.duplicate(delivery.vendor());
                case CONFLICT -> conflict(chunk, delivery);
            }
        }
        chunk.getMessage().setBody(fresh);
        List<long[]> ids = chunk.getProperty(UNIT_IDS, List.class);
        if (ids != null) {
            synchronized (ids) {
                ids.addAll(claimed);
            }
        } else if (!claimed.isEmpty()) {
            // a chunk sent on its own (not through direct:ingest-batch, e.g. by the dead-letter replay) is its own unit
            chunk.getExchangeExtension().addOnCompletion(new SynchronizationAdapter() {
                @Override
                public void onComplete(Exchange exchange) {
                    repository.confirmHashes(claimed);
                }

                @Override
                public void onFailure(Exchange exchange) {
                    claimed.forEach(repository::removeHash);
                }
            });
        }
    }

    private static void conflict(Exchange chunk, Delivery delivery) {
        InvalidRecordException reason = conflicting(delivery.vendor(), delivery.location(), delivery.event().id());
        @SuppressWarnings("unchecked")
        List<Normalizer.Rejected> rejected = chunk.getProperty(Normalizer.REJECTED, List.class);
        if (rejected == null) {
            rejected = new ArrayList<>();
            chunk.setProperty(Normalizer.REJECTED, rejected);
        }
        SourceRecord source = delivery.source() != null ? delivery.source()
                : SourceRecord.unparsable(delivery.vendor(), null, null, null);
        rejected.add(new Normalizer.Rejected(source, reason));
    }

    /** Logs a conflicting duplicate; the reason to dead-letter it with. */
    public static InvalidRecordException conflicting(String vendor, String location, String id) {
        LOG.warn("Conflicting duplicate: {} from {} has the id {} of an event seen before with other content;"
                + " it is dead-lettered, not dropped", vendor, location, id);
        return new InvalidRecordException("conflicting duplicate: the id " + id + " was seen before with other content"
                + " (time, action, outcome, actor or resource)");
    }

    /** A 64-bit hash of what the event says happened (never 0, which stands for "not known"). */
    public static long contentHash(AuditEvent event) {
        return contentHash(event, IdHashSet.md5());
    }

    private static long contentHash(AuditEvent event, MessageDigest md5) {
        StringBuilder text = new StringBuilder(256);
        text.append(event.time()).append('\u0001').append(event.action()).append('\u0001')
                .append(event.outcome() == null ? null : event.outcome().value()).append('\u0001');
        if (event.actor() != null) {
            text.append(event.actor().id()).append('\u0001').append(event.actor().email());
        }
        text.append('\u0001');
        if (event.resource() != null) {
            text.append(event.resource().type()).append('\u0001').append(event.resource().id());
        }
        long hash = ByteBuffer.wrap(md5.digest(text.toString().getBytes(StandardCharsets.UTF_8))).getLong();
        return hash == 0 ? 1 : hash;
    }
}
