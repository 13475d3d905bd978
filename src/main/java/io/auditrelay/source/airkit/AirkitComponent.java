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
    private final Map<Path, DedupeRepository> objectStores = new HashMap<>();
    private final Map<Path, DeadLetterStore> deadLetterStores = new HashMap<>();

    @Override
    protected Endpoint newEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        AirkitEndpoint endpoint = new AirkitEndpoint(uri, this);
        endpoint.setBucket(remaining);
        setProperties(endpoint, parameters);
        return endpoint;
    }

    /**
     * The record of the objects read under {@code dir} (one {@code dedupe-ids.txt} of key@ETag hashes), started on
     * first use and stopped with the component.
     */
    synchronized DedupeRepository objects(Path dir, int maxObjects) {
        return objectStores.computeIfAbsent(dir.toAbsolutePath().normalize(), d -> {
            DedupeRepository repository = new DedupeRepository(d, maxObjects);
            ServiceHelper.startService(repository);
            return repository;
        });
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
        ServiceHelper.stopService(objectStores.values());
        objectStores.clear();
        deadLetterStores.clear();
        super.doStop();
    }
}
