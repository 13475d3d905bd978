package io.auditrelay.source.astra;

import io.auditrelay.retry.Backoff;
import io.auditrelay.event.Headers;
import io.auditrelay.source.JsonRecords;
import io.auditrelay.spine.OnceCoordinator;
import io.auditrelay.unit.SourceUnit;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.health.HealthCheckRegistry;
import org.apache.camel.support.DefaultConsumer;
import org.apache.camel.support.SynchronizationAdapter;
import org.apache.pulsar.client.api.Consumer;
import org.apache.pulsar.client.api.Message;
import org.apache.pulsar.client.api.PulsarClient;
import org.apache.pulsar.client.api.PulsarClientException;
import org.apache.pulsar.client.api.Schema;
import org.apache.pulsar.client.api.SubscriptionInitialPosition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The {@code audit-astra:} consumer: one thread subscribes to the topics and turns each Pulsar message into one
 * exchange (body: a one-element {@code List<SourceRecord>}, headers {@code relayVendor=astra} and
 * {@code relayLocation=TOPIC/MESSAGE_ID}, plus camel-pulsar's {@code topic_name}, {@code message_id},
 * {@code publish_time} and {@code key}). The message is acknowledged in the exchange's completion, so only once the
 * whole route (the spine, or a Pipe's steps and sink) completed; a failed exchange negatively acknowledges it and
 * Pulsar redelivers it after {@code nackRedeliveryDelay}. One message at a time: the next is received only once the
 * previous exchange is done.
 *
 * <p>The Pulsar client API directly rather than camel-pulsar's consumer: camel-pulsar creates its exchanges itself
 * (this consumer could only wrap it by nesting endpoints), only logs a subscription it could not create (a
 * {@code relay.once} run with a refused token would wait forever), and takes authentication as a class name plus a
 * parameter string in the endpoint URI. Here the endpoint builds the client from its own options, a refused token
 * ends a {@code relay.once} run at once with the reason, and ack/nack sit in the exchange's completion.
 *
 * <p>{@code relay.once}: the source is reported drained after {@code idleTimeout} ms without a message (Pulsar has
 * no cheap end-of-topic for a subscription), and failed when the broker refuses the credentials or the topic. A
 * long-running relay instead keeps trying (backoff up to a minute) and its readiness check {@code astra-source} is
 * DOWN with the reason meanwhile.
 */
public class AstraConsumer extends DefaultConsumer {

    /** The source's name for the relay.once coordinator. */
    public static final String SOURCE = "astra-pulsar";
    public static final String VENDOR = "astra";
    /** camel-pulsar's header names, for routes that look at them. */
    public static final String TOPIC_NAME = "topic_name";
    public static final String MESSAGE_ID = "message_id";
    public static final String PUBLISH_TIME = "publish_time";
    public static final String KEY = "key";

    private static final Logger LOG = LoggerFactory.getLogger(AstraConsumer.class);
    /** Retries of a failed subscribe or receive: from 1 s, doubling, up to a minute. */
    private static final Backoff RETRY = Backoff.ofMillis(1000, 60_000);

    private final AstraEndpoint endpoint;
    private volatile boolean running;
    private CountDownLatch stopSignal;
    private ExecutorService executor;
    private PulsarClient client;
    private volatile Consumer<byte[]> pulsar;
    private AstraPulsarHealthCheck check;
    private OnceCoordinator coordinator;
    private AstraPulsarSettings settings;
    private JsonRecords json;

    public AstraConsumer(AstraEndpoint endpoint, Processor processor) {
        super(endpoint, processor);
        this.endpoint = endpoint;
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        settings = endpoint.settings();
        json = new JsonRecords(endpoint.getInputLimits().resolve(endpoint.getCamelContext()));
        coordinator = endpoint.coordinator();
        if (coordinator != null) {
            coordinator.expect(SOURCE);
        }
        client = settings.client();
        check = new AstraPulsarHealthCheck(client, settings.topics());
        CamelContext context = endpoint.getCamelContext();
        check.setCamelContext(context);
        HealthCheckRegistry health = HealthCheckRegistry.get(context);
        if (health != null) {
            health.register(check);
        }
        LOG.info("Astra source: {}", settings.describe());
        running = true;
        stopSignal = new CountDownLatch(1);
        executor = context.getExecutorServiceManager().newSingleThreadExecutor(this, "audit-astra");
        executor.submit(this::run);
    }

    @Override
    protected void doStop() throws Exception {
        running = false;
        if (stopSignal != null) {
            stopSignal.countDown();
        }
        CamelContext context = endpoint.getCamelContext();
        if (executor != null) {
            // the message in flight may finish (and be acknowledged) within the shutdown timeout; if it does not,
            // it is abandoned unacknowledged and Pulsar gives it to the next consumer of the subscription
            long timeout = context.getShutdownStrategy().getTimeUnit().toMillis(context.getShutdownStrategy().getTimeout());
            context.getExecutorServiceManager().shutdownGraceful(executor, Math.max(timeout, 1000));
            executor = null;
        }
        HealthCheckRegistry health = HealthCheckRegistry.get(context);
        if (health != null && check != null) {
            health.unregister(check);
        }
        Consumer<byte[]> subscribed = pulsar;
        pulsar = null;
        try {
            if (subscribed != null) {
                subscribed.close();
            }
        } catch (PulsarClientException e) {
            LOG.debug("Closing the Astra subscription: {}", e.toString());
        }
        if (client != null) {
            client.close();
            client = null;
        }
        super.doStop();
    }

    private void run() {
        Consumer<byte[]> subscribed = subscribe();
        if (subscribed == null) {
            return;
        }
        long idleNanos = TimeUnit.MILLISECONDS.toNanos(endpoint.getIdleTimeout());
        long lastActivity = System.nanoTime();
        boolean drained = false;
        int failures = 0;
        while (running) {
            Message<byte[]> message;
            try {
                message = subscribed.receive(200, TimeUnit.MILLISECONDS);
                failures = 0;
            } catch (PulsarClientException e) {
                if (!running) {
                    break;
                }
                getExceptionHandler().handleException("Astra source: receiving from " + settings.topics() + " failed", e);
                pause(RETRY.delay(++failures).toMillis());
                continue;
            }
            if (message != null) {
                deliver(subscribed, message);
                lastActivity = System.nanoTime();
            } else if (!drained && once() && System.nanoTime() - lastActivity > idleNanos) {
                awaitContextStarted();
                coordinator.drained(SOURCE);
                drained = true;
            }
        }
    }

    /**
     * Subscribes, first asking the broker for each topic with the same client (the readiness check), so a refused
     * token or unknown topic is named. Null when stopped, or when a {@code relay.once} run was failed.
     */
    private Consumer<byte[]> subscribe() {
        int failures = 0;
        String lastProblem = null;
        while (running) {
            String problem = check.problem();
            if (problem == null) {
                try {
                    Consumer<byte[]> subscribed = client.newConsumer(Schema.BYTES)
                            .topics(settings.topics())
                            .subscriptionName(settings.subscription())
                            .subscriptionType(settings.subscriptionTypeValue())
                            .subscriptionInitialPosition(SubscriptionInitialPosition.Earliest)
                            .ackTimeout(endpoint.getAckTimeout(), TimeUnit.MILLISECONDS)
                            .negativeAckRedeliveryDelay(endpoint.getNackRedeliveryDelay(), TimeUnit.MILLISECONDS)
                            .acknowledgmentGroupTime(0, TimeUnit.MILLISECONDS)
                            .receiverQueueSize(100)
                            .subscribe();
                    pulsar = subscribed;
                    if (!running) {
                        return null; // doStop closes it
                    }
                    if (lastProblem != null) {
                        LOG.info("Astra source: subscribed to {} after all", settings.topics());
                    }
                    return subscribed;
                } catch (PulsarClientException e) {
                    problem = "Astra Streaming refused the subscription " + settings.subscription() + " to "
                            + settings.topics() + ": " + e.getClass().getSimpleName()
                            + (e.getMessage() == null ? "" : " (" + e.getMessage() + ")");
                }
            }
            if (!problem.equals(lastProblem)) {
                LOG.error(problem);
                lastProblem = problem;
            }
            if (once()) {
                awaitContextStarted();
                coordinator.failed(SOURCE, problem);
                return null;
            }
            pause(RETRY.delay(++failures).toMillis());
        }
        return null;
    }

    /** One message, one exchange; acknowledged in its completion, negatively acknowledged when it failed. */
    private void deliver(Consumer<byte[]> subscribed, Message<byte[]> message) {
        String location = message.getTopicName() + "/" + message.getMessageId();
        Exchange exchange = createExchange(false);
        AtomicBoolean settled = new AtomicBoolean();
        try {
            org.apache.camel.Message in = exchange.getMessage();
            in.setHeader(Headers.VENDOR, VENDOR);
            in.setHeader(Headers.LOCATION, location);
            in.setHeader(TOPIC_NAME, message.getTopicName());
            in.setHeader(MESSAGE_ID, String.valueOf(message.getMessageId()));
            in.setHeader(PUBLISH_TIME, message.getPublishTime());
            if (message.hasKey()) {
                in.setHeader(KEY, message.getKey());
            }
            // a message that is not an audit event (not JSON, not UTF-8, over relay.input.max-record-bytes) is not a
            // unit failure: the record says why, the spine dead-letters it
            in.setBody(List.of(json.parse(VENDOR, message.getData(), location)));
            // the unit's own completions (e.g. the normalize step recording its ids) run first, then the ack or nack
            SourceUnit.begin(exchange, new SynchronizationAdapter() {
                @Override
                public void onComplete(Exchange done) {
                    settled.set(true);
                    try {
                        subscribed.acknowledge(message);
                    } catch (PulsarClientException e) {
                        LOG.warn("Astra message {} was delivered but not acknowledged ({}); Pulsar redelivers it and the"
                                + " relay's dedupe drops the repeat", location, e.toString());
                    }
                }

                @Override
                public void onFailure(Exchange failed) {
                    settled.set(true);
                    subscribed.negativeAcknowledge(message);
                }
            });
            getProcessor().process(exchange);
        } catch (Exception e) {
            exchange.setException(e);
        } finally {
            if (exchange.getException() != null) {
                if (!settled.get()) {
                    subscribed.negativeAcknowledge(message); // failed before the route's unit of work began
                }
                getExceptionHandler().handleException("Astra message " + location + " not delivered; Pulsar redelivers it in "
                        + endpoint.getNackRedeliveryDelay() + " ms", exchange, exchange.getException());
            }
            releaseExchange(exchange, false);
        }
    }

    private boolean once() {
        return coordinator != null && coordinator.once();
    }

    /** The coordinator stops the context: not before it finished starting. */
    private void awaitContextStarted() {
        CamelContext context = endpoint.getCamelContext();
        while (running && !context.isStarted()) {
            pause(50);
        }
    }

    private void pause(long millis) {
        try {
            stopSignal.await(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }
}
