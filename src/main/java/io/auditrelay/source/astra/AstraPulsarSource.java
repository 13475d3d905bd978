package io.auditrelay.source.astra;

import io.auditrelay.spine.OnceCoordinator;
import io.auditrelay.spine.Headers;
import io.auditrelay.spine.Normalizer;
import io.auditrelay.spine.SourceRecord;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.pulsar.PulsarMessageReceipt;
import org.apache.camel.component.pulsar.utils.message.PulsarMessageHeaders;
import org.apache.camel.support.service.ServiceSupport;
import org.apache.pulsar.client.api.PulsarClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Delivery, acknowledgement and drain logic of the Astra Pulsar source (routes/source-astra-pulsar.yaml,
 * camel-pulsar with {@code allowManualAcknowledgement=true}). {@link #process} sends the message synchronously
 * into {@code direct:ingest-batch} and acknowledges it after that returned (delivered to every sink or dead-lettered),
 * or negatively acknowledges it when it threw: Pulsar then redelivers the message.
 * (A ProducerTemplate, not a {@code to} in the route: the spine's handled dead-letter path would end the calling
 * route before an ack step.)
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
    private ProducerTemplate template;

    public AstraPulsarSource(PulsarClient client, OnceCoordinator coordinator, long idleTimeoutMs) {
        this.client = client;
        this.coordinator = coordinator;
        this.idleTimeoutMs = idleTimeoutMs;
    }

    /** Delivers one message into the spine, then acks or nacks it. */
    public void process(Exchange exchange) throws Exception {
        inFlight.incrementAndGet();
        lastActivity = System.nanoTime();
        Exchange out;
        try {
            Message in = exchange.getMessage();
            String text = in.getBody(String.class);
            // one message is one unit: delivered to every sink (or dead-lettered) and flushed, then acked
            SourceRecord record = Normalizer.parse(in.getHeader(Headers.VENDOR, String.class), text,
                    in.getHeader(Headers.LOCATION, String.class));
            out = producer(exchange.getContext()).send("direct:ingest-batch", ex -> ex.getMessage().setBody(List.of(record)));
        } catch (RuntimeException e) {
            exchange.setProperty(Exchange.EXCEPTION_CAUGHT, e);
            negativeAcknowledge(exchange);
            return;
        }
        if (out.getException() != null) {
            exchange.setProperty(Exchange.EXCEPTION_CAUGHT, out.getException());
            negativeAcknowledge(exchange);
        } else {
            acknowledge(exchange);
        }
    }

    private synchronized ProducerTemplate producer(CamelContext context) {
        if (template == null) {
            template = context.createProducerTemplate();
        }
        return template;
    }

    void acknowledge(Exchange exchange) throws Exception {
        try {
            receipt(exchange).acknowledge();
        } finally {
            done();
        }
    }

    void negativeAcknowledge(Exchange exchange) {
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

    /**
     * In a {@code relay.once} run, reports the source drained once no message came for the idle timeout and none
     * is in flight. Called when the context has fully started, i.e. once the consumers are subscribed.
     */
    public synchronized void watchForDrain() {
        lastActivity = System.nanoTime();
        if (coordinator == null || !coordinator.once() || watcher != null) {
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
        if (template != null) {
            template.stop();
        }
        client.close();
    }
}
