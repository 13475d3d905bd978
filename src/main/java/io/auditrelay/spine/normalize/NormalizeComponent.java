package io.auditrelay.spine.normalize;

import io.auditrelay.unit.RelayComponent;
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
 * {@code audit-normalize:<vendor>}: the spine's normalize, dedupe and dead-letter steps as an endpoint, for routes and
 * Kamelet Pipes that handle one record at a time (the {@code audit-normalize-action} Kamelet). Endpoints of one Camel
 * context that name the same state or dead-letter directory share one dedupe store and one dead-letter store.
 */
@Component("audit-normalize")
public class NormalizeComponent extends RelayComponent {

    private final Clock clock = Clock.systemUTC();
    private final RelayStats stats = new RelayStats(clock);
    private final Map<Path, DedupeRepository> dedupeStores = new HashMap<>();
    private final Map<Path, DeadLetterStore> deadLetterStores = new HashMap<>();

    @Override
    protected Endpoint newEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        NormalizeEndpoint endpoint = new NormalizeEndpoint(uri, this);
        endpoint.setVendor(remaining);
        setProperties(endpoint, parameters);
        return endpoint;
    }

    RelayStats stats() {
        return stats;
    }

    Clock clock() {
        return clock;
    }

    /** The dedupe store of {@code stateDir}, started on first use and stopped with the component. */
    synchronized DedupeRepository dedupe(String stateDir, int maxIds) {
        return dedupeStores.computeIfAbsent(Path.of(stateDir).toAbsolutePath().normalize(), dir -> {
            DedupeRepository repository = new DedupeRepository(dir, maxIds);
            ServiceHelper.startService(repository);
            return repository;
        });
    }

    synchronized DeadLetterStore deadLetters(String dlqDir) {
        return deadLetterStores.computeIfAbsent(Path.of(dlqDir).toAbsolutePath().normalize(),
                dir -> new DeadLetterStore(dir, clock, stats));
    }

    @Override
    protected synchronized void doStop() throws Exception {
        ServiceHelper.stopService(dedupeStores.values());
        dedupeStores.clear();
        deadLetterStores.clear();
        super.doStop();
    }
}
