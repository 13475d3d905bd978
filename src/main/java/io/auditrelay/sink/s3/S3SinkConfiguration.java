package io.auditrelay.sink.s3;

import io.auditrelay.aws.S3Access;
import io.auditrelay.config.Settings;
import io.auditrelay.spine.DeadLetterStore;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.Configuration;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Binds the S3 sink ({@code s3Sink}, used by route sink-s3 of routes/sinks.yaml) and, when {@code s3} is listed in
 * {@code relay.sinks}, starts it (recovering its spool) and lets it write its open batches when the context starts
 * stopping. Wiring only.
 */
@Configuration
public class S3SinkConfiguration implements CamelConfiguration {

    static final String PREFIX = "relay.sink.s3";

    @Override
    public void configure(CamelContext context) throws Exception {
        Settings settings = new Settings(context);
        boolean enabled = settings.sinkEnabled("s3");
        String bucket = settings.optional(PREFIX + ".bucket");
        if (enabled && bucket == null) {
            throw new IllegalArgumentException("relay.sinks lists s3 but relay.sink.s3.bucket is not set");
        }
        S3Sink.Options options = new S3Sink.Options(bucket, settings.get(PREFIX + ".prefix", ""),
                settings.integer(PREFIX + ".batch-size", 10_000),
                Long.parseLong(settings.get(PREFIX + ".batch-bytes", String.valueOf(64L * 1024 * 1024))),
                Duration.ofMillis(Long.parseLong(settings.get(PREFIX + ".batch-interval", "300000"))),
                settings.integer(PREFIX + ".max-retries", 8),
                Duration.ofMillis(Long.parseLong(settings.get(PREFIX + ".retry-delay", "1000"))),
                spoolDir(settings));
        S3Access access = S3Access.from(settings, PREFIX);
        DeadLetterStore deadLetters = context.getRegistry().lookupByNameAndType("deadLetters", DeadLetterStore.class);
        S3Sink sink = new S3Sink(options, access::client, new NdjsonGzipFormat(), deadLetters);
        context.getRegistry().bind("s3Sink", sink);
        if (enabled) {
            context.getManagementStrategy().addEventNotifier(sink.shutdownListener());
            context.addService(sink, true, true);
        }
    }

    /** {@code relay.sink.s3.spool-dir}, by default {@code <relay.state.dir>/s3-spool}. */
    static Path spoolDir(Settings settings) {
        String dir = settings.optional(PREFIX + ".spool-dir");
        return dir != null ? Path.of(dir) : Path.of(settings.get("relay.state.dir", "data/state")).resolve("s3-spool");
    }
}
