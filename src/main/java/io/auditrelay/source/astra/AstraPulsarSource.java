package io.auditrelay.source.astra;

import io.auditrelay.spine.OnceCoordinator;
import org.apache.camel.Exchange;
import org.apache.camel.component.pulsar.PulsarMessageReceipt;
import org.apache.camel.component.pulsar.utils.message.PulsarMessageHeaders;
import org.apache.camel.support.service.ServiceSupport;
import org.apache.pulsar.client.api.PulsarClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Acknowledgement and drain logic of the Astra Pulsar source (routes/source-astra-pulsar.yaml, camel-pulsar with
 * {@code allowManualAcknowledgement=true}). The route calls {@link #received} first, then
 * {@link #acknowledge} after {@code direct:ingest} returned (delivered to every sink or dead-lettered), or
 * {@link #negativeAcknowledge} when it threw: Pulsar then redelivers the message.
 *
 * <p>With {@code relay.once=true} the source reports {@code astra-pulsar} drained after
 * {@code relay.source.astra.idle-timeout} ms without a message and with no message in flight (Pulsar has no
 * cheap "end of topic" for a subscription; an idle timeout is simple and honest).
 * Owns the {@link PulsarClient} bound to the pulsar component, and closes it on stop.
 */
public class AstraPulsarSource extends ServiceSupport {

    public static final String SOURCE = "astra-pulsar";
    private static final Logger LOG = LoggerFactory.getLogger(AstraPulsarSource.class);

    private final PulsarClient client;
    private final OnceCoordinator coordinator;
    private final long idleTimeoutMs;
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile long lastActivity = System.nanoTime();
    private ScheduledExecutorService watcher;

    public AstraPulsarSource(PulsarClient client, OnceCoordinator coordinator, long idleTimeoutMs) {
        this.client = client;
        this.coordinator = coordinator;
        this.idleTimeoutMs = idleTimeoutMs;
    }

    public void received(Exchange exchange) {
        inFlight.incrementAndGet();
        lastActivity = System.nanoTime();
    }

    public void acknowledge(Exchange exchange) throws Exception {
        try {
            receipt(exchange).acknowledge();
        } finally {
            done();
        }
    }

    public void negativeAcknowledge(Exchange exchange) {
        try {
            Throwable cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
            LOG.warn("Astra message {} on {} not delivered, Pulsar will redeliver it: {}",
                    exchange.getMessage().getHeader(PulsarMessageHeaders.MESSAGE_ID),
                    exchange.getMessage().getHeader(PulsarMessageHeaders.TOPIC_NAME), cause == null ? "?" : cause.toString());
            receipt(exchange).negativeAcknowledge();
        } finally {
            done();
        }
    }

    private void done() {
        inFlight.decrementAndGet();
        lastActivity = System.nanoTime();
    }

    private static PulsarMessageReceipt receipt(Exchange exchange) {
        PulsarMessageReceipt receipt = exchange.getMessage().getHeader(PulsarMessageHeaders.MESSAGE_RECEIPT, PulsarMessageReceipt.class);
        if (receipt == null) {
            throw new IllegalStateException("no Pulsar message receipt: allowManualAcknowledgement must be true");
        }
        return receipt;
    }

    @Override
    protected void doStart() {
        lastActivity = System.nanoTime();
        if (coordinator == null || !coordinator.once()) {
            return;
        }
        watcher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "astra-pulsar-drain-watcher");
            t.setDaemon(true);
            return t;
        });
        watcher.scheduleWithFixedDelay(() -> {
            if (inFlight.get() == 0 && System.nanoTime() - lastActivity > TimeUnit.MILLISECONDS.toNanos(idleTimeoutMs)) {
                coordinator.drained(SOURCE);
                watcher.shutdown();
            }
        }, 200, 200, TimeUnit.MILLISECONDS);
    }

    @Override
    protected void doStop() throws Exception {
        if (watcher != null) {
            watcher.shutdownNow();
        }
        client.close();
    }
}
