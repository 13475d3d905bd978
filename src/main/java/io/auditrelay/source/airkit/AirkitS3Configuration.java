package io.auditrelay.source.airkit;

import io.auditrelay.aws.S3Access;
import io.auditrelay.config.Settings;
import io.auditrelay.spine.DeadLetterStore;
import io.auditrelay.spine.DedupeRepository;
import io.auditrelay.spine.OnceCoordinator;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.Configuration;

import java.nio.file.Path;

/**
 * The Airkit S3 bucket source (routes/source-airkit-s3.yaml, created only when
 * {@code relay.source.airkit.enabled=true}): binds the S3 client ({@code airkitS3Client}), the durable record of
 * the objects already read ({@code airkitS3Objects}: key + ETag, in {@code <relay.state.dir>/airkit-s3/}) and
 * the route's helper ({@code airkitS3Source}). A disabled source binds and starts nothing. Wiring only.
 */
@Configuration
public class AirkitS3Configuration implements CamelConfiguration {

    static final String PREFIX = "relay.source.airkit";

    @Override
    public void configure(CamelContext context) throws Exception {
        Settings settings = new Settings(context);
        if (!settings.bool(PREFIX + ".enabled", false)) {
            return;
        }
        if (settings.optional(PREFIX + ".bucket") == null) {
            throw new IllegalArgumentException("relay.source.airkit.enabled=true but relay.source.airkit.bucket is not set");
        }
        if (settings.bool(PREFIX + ".move-after-read", false)) {
            String prefix = settings.get(PREFIX + ".prefix", "");
            String processed = settings.get(PREFIX + ".processed-prefix", "processed/");
            if (prefix.isEmpty() || prefix.startsWith(processed) || processed.isEmpty()) {
                throw new IllegalArgumentException("relay.source.airkit.move-after-read=true needs a relay.source.airkit.prefix "
                        + "outside relay.source.airkit.processed-prefix ('" + processed + "'), or moved objects would be read again");
            }
        }
        S3Access access = S3Access.from(settings, PREFIX);
        context.getRegistry().bind("airkitS3Client", access.client());

        Path stateDir = Path.of(settings.get("relay.state.dir", "data/state")).resolve("airkit-s3");
        DedupeRepository objects = new DedupeRepository(stateDir, settings.integer(PREFIX + ".max-objects-remembered", 1_000_000));
        context.getRegistry().bind("airkitS3Objects", objects);
        context.addService(objects, true, true);

        OnceCoordinator coordinator = context.getRegistry().lookupByNameAndType("onceCoordinator", OnceCoordinator.class);
        DeadLetterStore deadLetters = context.getRegistry().lookupByNameAndType("deadLetters", DeadLetterStore.class);
        context.getRegistry().bind("airkitS3Source", new AirkitS3Source(objects, deadLetters, coordinator,
                settings.integer(PREFIX + ".max-objects-per-poll", 10)));
        coordinator.expect(AirkitS3Source.SOURCE);
    }
}
