package io.auditrelay.source.cockroachdb;

import io.auditrelay.config.Settings;
import io.auditrelay.spine.DeadLetterStore;
import io.auditrelay.spine.OnceCoordinator;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.Configuration;
import org.apache.camel.health.HealthCheckRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Binds {@code cockroachDbPoller} (used by {@code routes/source-cockroachdb.yaml}) and, when
 * {@code relay.source.cockroachdb.enabled=true}, validates the settings, registers the
 * {@code cockroachdb-source} health check and tells the once-coordinator to wait for the drain.
 * A disabled source binds an idle poller (the route exists but does not start) and starts nothing.
 */
@Configuration
public class CockroachDbConfiguration implements CamelConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(CockroachDbConfiguration.class);

    @Override
    public void configure(CamelContext context) throws Exception {
        Settings settings = new Settings(context);
        if (!settings.bool("relay.source.cockroachdb.enabled", false)) {
            context.getRegistry().bind("cockroachDbPoller", new CockroachDbPoller());
            return;
        }
        CockroachDbSettings config = CockroachDbSettings.from(settings);
        OnceCoordinator coordinator = context.getRegistry().lookupByNameAndType("onceCoordinator", OnceCoordinator.class);
        DeadLetterStore deadLetters = context.getRegistry().lookupByNameAndType("deadLetters", DeadLetterStore.class);
        CockroachDbPoller poller = new CockroachDbPoller(context, config, coordinator, deadLetters);
        context.getRegistry().bind("cockroachDbPoller", poller);
        if (coordinator != null) {
            coordinator.expect(CockroachDbPoller.VENDOR);
        }
        CockroachDbHealthCheck check = new CockroachDbHealthCheck(poller);
        check.setCamelContext(context);
        HealthCheckRegistry registry = HealthCheckRegistry.get(context);
        if (registry != null) {
            registry.register(check);
        } else {
            context.getRegistry().bind(CockroachDbHealthCheck.ID, check);
        }
        LOG.info("CockroachDB Cloud source enabled: {}", config);
    }
}
