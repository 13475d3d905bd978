package io.auditrelay.source.airkit;

import io.auditrelay.unit.RelayComponent;
import io.auditrelay.redact.Redaction;
import io.auditrelay.spine.DeadLetterStore;
import io.auditrelay.spine.DedupeRepository;
import io.auditrelay.spine.RelayStats;
import org.apache.camel.Endpoint;
import org.apache.camel.spi.annotations.Component;
import org.apache.camel.support.service.ServiceHelper;

import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;

/**
 * {@code audit-airkit:<bucket>}: the S3 bucket Airkit delivers its System Audit Logs to, as a consumer endpoint that
 * emits one exchange per object. Endpoints of one Camel context that name the same state directory share one record
 * of the objects read, and those that name the same dead-letter directory one dead-letter store.
 */
@Component("audit-airkit")
public class AirkitComponent extends RelayComponent {

    private final Clock clock = Clock.systemUTC();
    private final RelayStats stats = new RelayStats(clock);
    private final Map<Path, ObjectStore> objectStores = new HashMap<>();
    private final Map<Path, DeadLetterStore> deadLetterStores = new HashMap<>();

    @Override
    protected Endpoint newEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        AirkitEndpoint endpoint = new AirkitEndpoint(uri, this);
        endpoint.setBucket(remaining);
        setProperties(endpoint, parameters);
        return endpoint;
    }

    /** A record of the objects read and how many started endpoints use it. */
    private static final class ObjectStore {
        final DedupeRepository repository;
        int users;

        ObjectStore(DedupeRepository repository) {
            this.repository = repository;
        }
    }

    /**
     * The record of the objects read under {@code dir} (one {@code dedupe-ids.txt} of key@ETag hashes), loaded when
     * the first endpoint using it starts and stopped when the last one stops ({@link #release}): an endpoint started
     * again, as under {@code master:} when this replica takes the lead again, reads the record from disk with what
     * the replicas that led meanwhile recorded, instead of what it held when it last read.
     */
    synchronized DedupeRepository objects(Path dir, int maxObjects) {
        ObjectStore store = objectStores.computeIfAbsent(dir.toAbsolutePath().normalize(), d -> {
            DedupeRepository repository = new DedupeRepository(d, maxObjects);
            ServiceHelper.startService(repository);
            return new ObjectStore(repository);
        });
        store.users++;
        return store.repository;
    }

    /** An endpoint that took the record of {@code dir} stopped. */
    synchronized void release(Path dir) {
        Path key = dir.toAbsolutePath().normalize();
        ObjectStore store = objectStores.get(key);
        if (store != null && --store.users == 0) {
            objectStores.remove(key);
            ServiceHelper.stopService(store.repository);
        }
    }

    /** A dead-letter store of the endpoint's own in {@code dir} (where the context has none, e.g. in a Kamelet Pipe). */
    synchronized DeadLetterStore deadLetters(String dir) {
        return deadLetterStores.computeIfAbsent(Path.of(dir).toAbsolutePath().normalize(),
                d -> {
                    DeadLetterStore store = new DeadLetterStore(d, clock, stats);
                    Redaction redaction = getCamelContext().getRegistry().findSingleByType(Redaction.class);
                    return redaction == null ? store : store.redactAlso(redaction);
                });
    }

    @Override
    protected synchronized void doStop() throws Exception {
        objectStores.values().forEach(store -> ServiceHelper.stopService(store.repository));
        objectStores.clear();
        deadLetterStores.clear();
        super.doStop();
    }
}
