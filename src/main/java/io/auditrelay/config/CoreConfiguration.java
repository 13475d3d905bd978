package io.auditrelay.config;

import io.auditrelay.health.HeapPressureCheck;
import io.auditrelay.redact.Redaction;
import io.auditrelay.settings.Settings;
import io.auditrelay.mapper.Mappers;
import io.auditrelay.source.InboxSeeder;
import io.auditrelay.source.InputLimits;
import io.auditrelay.source.RecordReader;
import io.auditrelay.source.inbox.InboxRoutes;
import io.auditrelay.spine.Chunker;
import io.auditrelay.spine.DeadLetterStore;
import io.auditrelay.spine.DedupeRepository;
import io.auditrelay.spine.FanOut;
import io.auditrelay.spine.FanOutResult;
import io.auditrelay.spine.Normalizer;
import io.auditrelay.spine.OnceCoordinator;
import io.auditrelay.spine.RelayStats;
import io.auditrelay.spine.UnitDedupe;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.builder.ThreadPoolProfileBuilder;
import org.apache.camel.util.concurrent.ThreadPoolRejectedPolicy;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.Configuration;
import org.apache.camel.StartupListener;
import org.apache.camel.spi.Registry;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * Builds the spine's beans (stats, dedupe store, dead-letter store, normalizer, fan-out, run
 * coordinator) and the file inboxes, and binds them by the names the YAML routes use. The sources and sinks are
 * Camel endpoints configured by their own options (routes/, application.properties' relay.sink.<name>.uri).
 * Wiring only: the logic lives in the classes it creates.
 */
@Configuration
public class CoreConfiguration implements CamelConfiguration {

    @Override
    public void configure(CamelContext context) throws Exception {
        Settings settings = new Settings(context);
        ManagementPort.checkFree(settings);
        Registry registry = context.getRegistry();
        Clock clock = Clock.systemUTC();

        RelayStats stats = new RelayStats(clock);
        registry.bind("relayStats", stats);

        Path stateDir = Path.of(settings.get("relay.state.dir", "data/state"));
        DedupeRepository dedupe = new DedupeRepository(stateDir, settings.integer("relay.dedupe.max-ids", 1_000_000),
                Duration.ofMillis(settings.integer("relay.dedupe.peer-refresh-ms",
                        (int) DedupeRepository.PEER_REFRESH.toMillis())));
        registry.bind("dedupeRepository", dedupe);
        context.addService(dedupe, true, true);
        registry.bind("unitDedupe", new UnitDedupe(dedupe, stats));

        context.addService(ClusterServices.create(settings, stateDir), true, true);

        // relay.redact: masked or dropped before any sink (the normalizer) and in the dead-letter store
        Redaction redaction = Redaction.parse(settings.optional("relay.redact"), settings.bool("relay.redact.defaults", true));
        registry.bind("redaction", redaction);
        DeadLetterStore deadLetters = new DeadLetterStore(Path.of(settings.get("relay.dlq.dir", "data/dlq")), clock, stats)
                .redactAlso(redaction);
        registry.bind("deadLetters", deadLetters);
        registry.bind("normalizer", new Normalizer(settings.optional("relay.org"), clock, stats, redaction));
        // relay.input.*: the bounds of every reader of vendor input (files, objects, messages, API pages)
        InputLimits limits = InputLimits.from(settings);
        registry.bind("inputLimits", limits);
        registry.bind("recordReader", new RecordReader(limits));
        registry.bind("chunker", new Chunker());
        // readiness DOWN (and a warning) while the heap stays nearly full after collections: before an OutOfMemoryError
        HeapPressureCheck heap = new HeapPressureCheck(settings.decimal("relay.health.heap-threshold", 0.9));
        heap.watch();
        registry.bind("heapPressureCheck", heap);

        // relay.sinks -> relay.sink.<name>.uri: the sink endpoints the spine fans out to (they select, retry and
        // dead-letter themselves; the spine flushes them at the end of each unit)
        FanOut fanOut = new FanOut(FanOut.uris(settings));
        registry.bind("fanOut", fanOut);
        registry.bind("fanOutResult", new FanOutResult());
        // The fan-out calls the sinks in parallel (a slow or retrying sink does not hold up the others; the spine
        // still waits for all of them). Bounded: when every thread is busy the calling source thread runs the sink.
        // With one sink there is nothing to run in parallel: the chunk's own thread calls it.
        int threads = settings.integer("relay.sink.threads", 16);
        registry.bind("sinkFanOutPool", fanOut.sinks().size() == 1 ? new CallingThreadExecutor()
                : context.getExecutorServiceManager().newThreadPool(this, "sink-fan-out",
                new ThreadPoolProfileBuilder("sink-fan-out").poolSize(threads).maxPoolSize(threads).maxQueueSize(0)
                        .rejectedPolicy(ThreadPoolRejectedPolicy.CallerRuns).build()));

        // The chunks of one source unit in flight at once (routes/ingest.yaml); when every thread is busy the unit's
        // own thread takes the next chunk, which also keeps the reading of the unit from running ahead.
        int ingestThreads = settings.integer("relay.ingest.threads", 2);
        registry.bind("ingestPool", context.getExecutorServiceManager().newThreadPool(this, "ingest",
                new ThreadPoolProfileBuilder("ingest").poolSize(ingestThreads).maxPoolSize(ingestThreads).maxQueueSize(0)
                        .rejectedPolicy(ThreadPoolRejectedPolicy.CallerRuns).build()));

        OnceCoordinator coordinator = new OnceCoordinator(context, stats, settings.bool("relay.once", false));
        registry.bind("onceCoordinator", coordinator);
        context.addService(coordinator, true, true);
        context.addStartupListener(new StartupListener() {
            @Override
            public void onCamelContextStarted(CamelContext ctx, boolean alreadyStarted) {
                if (!alreadyStarted) {
                    fanOut.checkRoutes(ctx);
                    MeterRegistry meters = ctx.getRegistry().findSingleByType(MeterRegistry.class);
                    if (meters != null) {
                        stats.bindTo(meters);
                    }
                }
            }

            @Override
            public void onCamelContextFullyStarted(CamelContext ctx, boolean alreadyStarted) {
                // once the routes' consumers started: the source endpoints register with the coordinator then
                if (!alreadyStarted) {
                    coordinator.started();
                }
            }
        });

        if (settings.bool("relay.inbox.enabled", true)) {
            String inbox = settings.get("relay.inbox.dir", InboxSeeder.DEFAULT_INBOX);
            List<String> vendors = List.copyOf(Mappers.vendors());
            InboxSeeder.prepare(Path.of(inbox), InboxSeeder.DEFAULT_INBOX.equals(inbox),
                    Path.of(settings.get("relay.examples.dir", "examples/inbox")), vendors);
            // one route per vendor from the template in routes/source-inbox.yaml; each consumer registers itself
            // with the run coordinator when it starts
            registry.bind("inboxRoutes", new InboxRoutes());
        }
    }
}
