package io.auditrelay.spine;

import org.apache.camel.CamelContext;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Knows which sources are enabled, logs progress, prints the summary when the relay stops, and
 * with {@code relay.once=true} stops the relay once every source has said it has nothing more now.
 */
public class OnceCoordinator extends ServiceSupport {

    private static final Logger LOG = LoggerFactory.getLogger(OnceCoordinator.class);

    private final CamelContext context;
    private final RelayStats stats;
    private final boolean once;
    private final Set<String> pending = new LinkedHashSet<>();
    private boolean stopping;
    private volatile String failure;
    private String lastProgress = "";

    public OnceCoordinator(CamelContext context, RelayStats stats, boolean once) {
        this.context = context;
        this.stats = stats;
        this.once = once;
    }

    public boolean once() {
        return once;
    }

    /** Registers a source that must drain before a {@code relay.once} run ends. */
    public synchronized void expect(String source) {
        pending.add(source);
    }

    /** Called by a source when it has delivered everything it has for now. */
    public synchronized void drained(String source) {
        if (pending.remove(source)) {
            LOG.info("Source {} has nothing more for now", source);
        }
        stopIfDone();
    }

    /**
     * Called by a source that cannot go on without help (e.g. its credentials are refused). In a
     * {@code relay.once} run the relay then stops and exits non-zero; a long-running relay keeps
     * retrying and reports the source DOWN in its health instead.
     */
    public synchronized void failed(String source, String reason) {
        if (once && failure == null) {
            failure = source + ": " + reason;
            LOG.error("relay.once: source {} failed, stopping: {}", source, reason);
            pending.clear();
            stopIfDone();
        }
    }

    /** Why a {@code relay.once} run failed, or null. */
    public String failure() {
        return failure;
    }

    /** Called once the context has started, for the case where no source is enabled. */
    public synchronized void started() {
        if (once) {
            LOG.info("relay.once: will stop when these sources are drained: {}", pending);
        }
        stopIfDone();
    }

    private void stopIfDone() {
        if (once && pending.isEmpty() && !stopping) {
            stopping = true;
            Thread stopper = new Thread(() -> {
                try {
                    context.stop();
                } catch (Exception e) {
                    LOG.error("Failed to stop the relay", e);
                }
            }, "relay-once-stop");
            stopper.start();
        }
    }

    /** Logs the counters if they moved since the last call (the progress timer calls this). */
    public void progress() {
        String now = stats.summary();
        if (!now.equals(lastProgress) && stats.total() > 0) {
            lastProgress = now;
            LOG.info("Progress:\n{}", now);
        }
    }

    @Override
    protected void doStop() {
        LOG.info("Audit Relay summary:\n{}", stats.summary());
    }
}
