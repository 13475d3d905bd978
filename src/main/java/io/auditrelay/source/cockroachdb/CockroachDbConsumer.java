package io.auditrelay.source.cockroachdb;

import io.auditrelay.retry.Backoff;
import io.auditrelay.spine.DeadLetterStore;
import io.auditrelay.event.Headers;
import io.auditrelay.source.JsonRecords;
import io.auditrelay.spine.OnceCoordinator;
import io.auditrelay.spine.RelayStats;
import io.auditrelay.event.SourceRecord;
import io.auditrelay.source.cockroachdb.CockroachDbPoller.Page;
import io.auditrelay.unit.SourceUnit;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.health.HealthCheckRegistry;
import org.apache.camel.support.DefaultConsumer;
import org.apache.camel.support.SynchronizationAdapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The drain loop of an {@code audit-cockroachdb:} endpoint, on a thread of its own: page by page, each page one
 * exchange, the cursor saved in the exchange's completion; when a response carries no {@code next_starting_from} the
 * source is drained (a {@code relay.once} run is told) and the next drain starts a poll interval later.
 *
 * <p>A page whose route failed is not acknowledged: it is logged (WARN, once per page, with the request that read it)
 * and read again from the saved cursor after a doubling backoff. Stopping abandons the page being fetched, or lets the
 * page being delivered finish (then acknowledged only if its route completed).
 */
public class CockroachDbConsumer extends DefaultConsumer {

    private static final Logger LOG = LoggerFactory.getLogger(CockroachDbConsumer.class);

    private final CockroachDbSettings settings;
    private JsonRecords json;
    private final String name;
    private final Object lock = new Object();
    private volatile boolean stopping;
    private boolean delivering;
    private Thread loopThread;

    private CockroachDbPoller poller;
    private CockroachDbHealthCheck check;
    private ExecutorService executor;
    private Future<?> loop;
    private String failingLocation;
    private int failures;

    public CockroachDbConsumer(CockroachDbEndpoint endpoint, Processor processor, CockroachDbSettings settings) {
        super(endpoint, processor);
        this.settings = settings;
        this.name = endpoint.getName();
    }

    @Override
    public CockroachDbEndpoint getEndpoint() {
        return (CockroachDbEndpoint) super.getEndpoint();
    }

    /** The page state (for the readiness check). */
    CockroachDbPoller poller() {
        return poller;
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        CamelContext context = getEndpoint().getCamelContext();
        json = new JsonRecords(getEndpoint().getInputLimits().resolve(context));
        OnceCoordinator coordinator = context.getRegistry().findSingleByType(OnceCoordinator.class);
        if (coordinator != null) {
            coordinator.expect(name);
        }
        stopping = false;
        poller = new CockroachDbPoller(settings, new AuditLogClient(settings, Clock.systemUTC()),
                new CursorStore(settings.stateDir(), name), this::running, new RelayListener(context, coordinator, name));
        check = new CockroachDbHealthCheck(name + "-source", poller);
        check.setCamelContext(context);
        HealthCheckRegistry registry = HealthCheckRegistry.get(context);
        if (registry != null) {
            registry.getCheck(check.getId()).ifPresent(registry::unregister);
            registry.register(check);
        }
        LOG.info("CockroachDB Cloud source {} started: {}", name, settings);
        executor = context.getExecutorServiceManager().newSingleThreadExecutor(this, "audit-cockroachdb-" + name);
        loop = executor.submit(this::run);
    }

    @Override
    protected void doStop() throws Exception {
        synchronized (lock) {
            stopping = true;
            if (!delivering && loopThread != null) {
                loopThread.interrupt(); // wakes a backoff or a request in flight; never a page being delivered
            }
        }
        CamelContext context = getEndpoint().getCamelContext();
        if (loop != null) {
            long timeout = Math.max(1, context.getShutdownStrategy().getTimeUnit().toMillis(context.getShutdownStrategy().getTimeout()));
            try {
                loop.get(timeout, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                LOG.warn("CockroachDB Cloud source {}: the page in flight did not finish within {} ms; it is read again after the restart",
                        name, timeout);
            } catch (Exception e) {
                LOG.debug("CockroachDB Cloud source {} loop ended", name, e);
            }
            loop = null;
        }
        if (executor != null) {
            context.getExecutorServiceManager().shutdownNow(executor);
            executor = null;
        }
        HealthCheckRegistry registry = HealthCheckRegistry.get(context);
        if (registry != null && check != null) {
            registry.unregister(check);
        }
        super.doStop();
    }

    private boolean running() {
        CamelContext context = getEndpoint().getCamelContext();
        return !stopping && isRunAllowed() && !context.isStopping() && !context.isStopped();
    }

    private void run() {
        synchronized (lock) {
            loopThread = Thread.currentThread();
        }
        try {
            while (running()) {
                try {
                    drain();
                } catch (RuntimeException e) {
                    // e.g. the cursor file can't be read or written: said once per drain, tried again after the interval
                    getExceptionHandler().handleException("CockroachDB Cloud source " + name + ": the drain stopped, trying again in "
                            + settings.pollInterval().toMillis() + " ms", e);
                }
                poller.pause(settings.pollInterval());
            }
        } finally {
            synchronized (lock) {
                loopThread = null;
            }
        }
    }

    /** Reads page after page until a page is the last for now, the API refuses us, or the source stops. */
    private void drain() {
        poller.beginPoll();
        Duration wait = settings.backoff();
        while (poller.hasMore() && running()) {
            Page page = poller.nextPage();
            if (page == null) {
                return; // refused (asked again after the poll interval) or stopping
            }
            if (page.entries().isEmpty()) {
                poller.commit(page); // nothing to deliver, only the cursor may move
                continue;
            }
            Exception failure = deliver(page);
            if (failure == null) {
                if (failures > 0) {
                    LOG.info("CockroachDB page {} went through after {} failed attempts", page.request(), failures);
                }
                failingLocation = null;
                failures = 0;
                wait = settings.backoff();
                continue;
            }
            if (!running()) {
                return;
            }
            Duration sleep = Backoff.jitter(wait);
            failures = page.request().equals(failingLocation) ? failures + 1 : 1;
            failingLocation = page.request();
            String reason = failure.getClass().getSimpleName() + (failure.getMessage() != null ? ": " + failure.getMessage() : "");
            if (failures == 1) {
                LOG.warn("A CockroachDB page ({}) was not accepted by the route ({}); the cursor stays at {}, reading the page "
                        + "again in {} ms", page.request(), reason, poller.cursorText(), sleep.toMillis());
            } else {
                LOG.debug("CockroachDB page {} failed again (attempt {}): {}", page.request(), failures, reason);
            }
            LOG.debug("Page failure", failure);
            poller.pause(sleep);
            wait = poller.doubled(wait);
        }
    }

    /** Sends the page as one exchange; null when it completed and its cursor was saved, else why not. */
    private Exception deliver(Page page) {
        List<SourceRecord> unit = new ArrayList<>(page.entries().size());
        for (int i = 0; i < page.entries().size(); i++) {
            // an entry over the input limits (size, depth) is an unparsable record, dead-lettered; the page goes on
            unit.add(json.parse(CockroachDbPoller.VENDOR, page.entries().get(i), page.location(i)));
        }
        Exchange exchange = createExchange(false);
        AtomicBoolean acked = new AtomicBoolean();
        try {
            exchange.getMessage().setBody(unit);
            exchange.getMessage().setHeader(Headers.VENDOR, CockroachDbPoller.VENDOR);
            exchange.getMessage().setHeader(Headers.LOCATION, page.request());
            // the unit's own completions (the ids a Pipe's normalize step recorded) run first, then the cursor is saved
            SourceUnit.begin(exchange, new SynchronizationAdapter() {
                @Override
                public void onComplete(Exchange done) {
                    poller.commit(page);
                    acked.set(true);
                }
            });
            synchronized (lock) {
                if (stopping) {
                    return new IllegalStateException("stopping");
                }
                delivering = true;
            }
            try {
                getProcessor().process(exchange);
            } catch (Exception e) {
                exchange.setException(e);
            } finally {
                synchronized (lock) {
                    delivering = false;
                }
            }
            if (acked.get()) {
                return null;
            }
            Exception cause = exchange.getException();
            return cause != null ? cause : new IllegalStateException(exchange.isRollbackOnly() ? "rolled back"
                    : "the cursor could not be saved");
        } finally {
            releaseExchange(exchange, false);
        }
    }

    /** The relay around the source, when there is one (none in a Kamelet Pipe). */
    private static final class RelayListener implements CockroachDbPoller.Listener {

        private final CamelContext context;
        private final OnceCoordinator coordinator;
        private final String name;

        RelayListener(CamelContext context, OnceCoordinator coordinator, String name) {
            this.context = context;
            this.coordinator = coordinator;
            this.name = name;
        }

        @Override
        public void drained() {
            if (coordinator != null) {
                coordinator.drained(name);
            }
        }

        @Override
        public void failed(String reason) {
            if (coordinator != null) {
                coordinator.failed(name, reason);
            }
        }

        @Override
        public void unreadable(String request, String reason) {
            DeadLetterStore deadLetters = context.getRegistry().findSingleByType(DeadLetterStore.class);
            if (deadLetters != null) {
                deadLetters.recordUnreadable(CockroachDbPoller.VENDOR, request, reason);
            } else {
                CockroachDbPoller.Listener.super.unreadable(request, reason);
            }
        }

        @Override
        public void cursorSaved(Instant at) {
            RelayStats stats = context.getRegistry().findSingleByType(RelayStats.class);
            if (stats != null) {
                stats.cursor(CockroachDbPoller.VENDOR, at);
            }
        }
    }
}
