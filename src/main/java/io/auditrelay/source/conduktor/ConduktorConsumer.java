package io.auditrelay.source.conduktor;

import io.auditrelay.event.Headers;
import io.auditrelay.source.JsonRecords;
import io.auditrelay.spine.OnceCoordinator;
import io.auditrelay.event.SourceRecord;
import io.auditrelay.unit.SourceUnit;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.health.HealthCheckRegistry;
import org.apache.camel.support.DefaultConsumer;
import org.apache.camel.support.SynchronizationAdapter;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.header.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.StringJoiner;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The consumer of {@code audit-conduktor:}: a {@link PipelinedKafkaPoller} on the topics. Each poll batch is turned
 * into a unit of {@link SourceRecord}s (binary-mode CloudEvents rebuilt to structured JSON first; on the polling
 * thread with one delivery thread, else on the batch's delivery thread) and routed as one exchange, through the
 * route's AsyncProcessor, from the poller's delivery threads (up to
 * {@code deliveryThreads} batches at once, started in poll order). The exchange's completion tells the poller the batch is done: onComplete lets it commit
 * the batch's offsets (in order, on the polling thread), onFailure makes it seek back and read the batch again.
 *
 * <p>With {@code relay.once=true} (an {@link OnceCoordinator} in the registry) a watcher compares the group's
 * committed offsets with the end offsets of the topics (Kafka Admin client, same connection settings) and reports
 * {@code conduktor-kafka} drained when the group has committed everything that is on the topics now, or failed when
 * the broker refuses the credentials or the permissions (the last poll threw an authentication or authorization
 * error).
 */
public class ConduktorConsumer extends DefaultConsumer {

    /** The name this source has for {@link OnceCoordinator}. */
    public static final String SOURCE = "conduktor-kafka";
    public static final String VENDOR = "conduktor";
    private static final Logger LOG = LoggerFactory.getLogger(ConduktorConsumer.class);

    private final List<String> topics;
    private volatile PipelinedKafkaPoller<byte[], Unit> poller;
    private volatile Thread pollingThread;
    private OnceCoordinator coordinator;
    private ScheduledExecutorService watcher;
    private Admin admin;
    private ConduktorKafkaHealthCheck check;
    private String groupId;

    /** A poll batch prepared for delivery: its records and where it came from. */
    record Unit(List<SourceRecord> records, String location) {
    }

    public ConduktorConsumer(ConduktorEndpoint endpoint, Processor processor) {
        super(endpoint, processor);
        this.topics = endpoint.topicList();
    }

    @Override
    public ConduktorEndpoint getEndpoint() {
        return (ConduktorEndpoint) super.getEndpoint();
    }

    /** Why the consumer cannot read now, or null. */
    public String problem() {
        PipelinedKafkaPoller<byte[], Unit> p = poller;
        if (p == null) {
            return null;
        }
        String error = p.lastPollError();
        if (error == null && !pollingThread.isAlive() && isRunAllowed()) {
            return "the consumer loop has ended";
        }
        return error;
    }

    /**
     * One poll batch as one unit of source records, in poll order. A record whose value is over
     * {@code relay.input.max-record-bytes} is not parsed: it is dead-lettered with its size; one that is not UTF-8 is
     * dead-lettered with the byte where it breaks (the values are read as bytes, not decoded with replacement).
     */
    static Unit unit(ConsumerRecords<String, byte[]> records, JsonRecords json) {
        List<SourceRecord> unit = new ArrayList<>(records.count());
        for (ConsumerRecord<String, byte[]> record : records) {
            String location = record.topic() + "/" + record.partition() + "/" + record.offset();
            Map<String, Object> headers = headers(record);
            unit.add(record.value() == null && CloudEvents.isBinary(headers)
                    // a binary-mode event may have no data: its attributes are the record
                    ? json.parse(VENDOR, CloudEvents.structured(headers, null), location)
                    : json.parse(VENDOR, record.value(), location, text -> CloudEvents.structured(headers, text)));
        }
        StringJoiner location = new StringJoiner(",");
        for (TopicPartition partition : records.partitions()) {
            List<ConsumerRecord<String, byte[]>> part = records.records(partition);
            location.add(partition.topic() + "/" + partition.partition() + "/" + part.get(0).offset() + "-"
                    + part.get(part.size() - 1).offset());
        }
        return new Unit(unit, location.toString());
    }

    private static Map<String, Object> headers(ConsumerRecord<String, byte[]> record) {
        Map<String, Object> headers = new HashMap<>();
        for (Header header : record.headers()) {
            headers.put(header.key(), header.value());
        }
        return headers;
    }

    /**
     * Routes one unit as one exchange and returns when its completion ran: normally when the route completed (the
     * poller may commit), with the exchange's exception when it failed (the poller seeks back, nothing committed).
     */
    private void deliver(Unit unit) throws Exception {
        Exchange exchange = createExchange(false);
        CompletableFuture<Void> routed = new CompletableFuture<>();
        try {
            exchange.getMessage().setBody(unit.records());
            exchange.getMessage().setHeader(Headers.VENDOR, VENDOR);
            exchange.getMessage().setHeader(Headers.LOCATION, unit.location());
            CompletableFuture<Void> acknowledged = new CompletableFuture<>();
            // the unit's completions (the normalize step's dedupe records, also inside Kamelets) run before this
            SourceUnit.begin(exchange, new SynchronizationAdapter() {
                @Override
                public void onComplete(Exchange done) {
                    acknowledged.complete(null);
                }

                @Override
                public void onFailure(Exchange failed) {
                    acknowledged.completeExceptionally(failure(failed, unit));
                }
            });
            getAsyncProcessor().process(exchange, doneSync -> routed.complete(null));
            routed.get();
            // the completion runs when the unit of work ends, before the callback; if it did not (a completion before
            // it threw), the unit is not acknowledged: it is read again
            if (!acknowledged.isDone()) {
                acknowledged.completeExceptionally(new IllegalStateException("the unit " + unit.location()
                        + " ended without its acknowledgement; it is read again"));
            }
            try {
                acknowledged.get();
            } catch (ExecutionException e) {
                throw e.getCause() instanceof Exception cause ? cause : e;
            }
        } finally {
            if (routed.isDone()) {
                releaseExchange(exchange, false);
            } // else: still in the route (a stop interrupted the wait); it is not acknowledged and not reused
        }
    }

    private static Exception failure(Exchange failed, Unit unit) {
        Exception cause = failed.getException();
        return new IllegalStateException("the unit " + unit.location() + " failed"
                + (cause == null ? " (rolled back)" : ": " + cause), cause);
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        ConduktorEndpoint endpoint = getEndpoint();
        Properties consumerProperties = endpoint.consumerProperties();
        groupId = endpoint.getGroupId();
        LOG.info("Conduktor source: topics {} on {}, group {}, client settings {}", topics, endpoint.getBrokers(),
                groupId, ConduktorEndpoint.masked(endpoint.clientProperties()));
        endpoint.getAdditionalProperties().keySet().stream().filter(ConduktorEndpoint::shownInUris).forEach(key -> LOG.warn(
                "audit-conduktor: additionalProperties.{} looks like a secret that Camel does not mask in endpoint URIs: "
                        + "set it with a security option (saslJaasConfig, ssl*Password) or clientPropertiesPrefix",
                key));
        KafkaConsumer<String, byte[]> kafka = new KafkaConsumer<>(consumerProperties);
        JsonRecords json = new JsonRecords(endpoint.getInputLimits().resolve(endpoint.getCamelContext()));
        PipelinedKafkaPoller<byte[], Unit> loop = new PipelinedKafkaPoller<>(kafka, topics, records -> unit(records, json), this::deliver,
                endpoint.getBatchesInFlight(), endpoint.getDeliveryThreads(), endpoint.pollTimeoutDuration(), endpoint.shutdownTimeoutDuration(),
                endpoint.retryDelayDuration(), SOURCE).maxBytesInFlight(endpoint.getMaxBytesInFlight());
        check = new ConduktorKafkaHealthCheck(this::problem, topics);
        check.setCamelContext(endpoint.getCamelContext());
        HealthCheckRegistry health = HealthCheckRegistry.get(endpoint.getCamelContext());
        if (health != null) {
            health.register(check);
        }
        coordinator = endpoint.getCamelContext().getRegistry().findSingleByType(OnceCoordinator.class);
        if (coordinator != null) {
            coordinator.expect(SOURCE);
        }
        pollingThread = new Thread(loop, SOURCE + "-poll");
        pollingThread.start();
        poller = loop;
        LOG.info("Conduktor source: polling, {} poll batch(es) of up to {} records in flight",
                endpoint.getBatchesInFlight(), endpoint.getMaxPollRecords());
        if (coordinator == null || !coordinator.once()) {
            return;
        }
        admin = Admin.create(endpoint.adminProperties());
        watcher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "conduktor-kafka-drain-watcher");
            t.setDaemon(true);
            return t;
        });
        watcher.scheduleWithFixedDelay(this::checkDrained, 500, 500, TimeUnit.MILLISECONDS);
    }

    private void checkDrained() {
        PipelinedKafkaPoller<byte[], Unit> p = poller;
        RuntimeException refused = p == null ? null : p.lastPollFailure();
        if (refused instanceof AuthenticationException || refused instanceof AuthorizationException) {
            // refused credentials or permissions: a relay.once run cannot go on without help
            coordinator.failed(SOURCE, p.lastPollError());
            watcher.shutdown();
            return;
        }
        try {
            if (drained()) {
                coordinator.drained(SOURCE);
                watcher.shutdown();
            }
        } catch (Exception e) {
            LOG.debug("Drain check failed, will retry: {}", e.toString());
        }
    }

    /** True when the group's committed offset is at the end of every partition of the topics (or the topic is empty). */
    boolean drained() throws Exception {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
        Map<String, TopicDescription> described;
        try {
            described = admin.describeTopics(topics).allTopicNames().get(5, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                return true; // no topic yet: nothing to read now
            }
            throw e;
        }
        described.values().forEach(d -> d.partitions().forEach(p -> {
            TopicPartition tp = new TopicPartition(d.name(), p.partition());
            latest.put(tp, OffsetSpec.latest());
            earliest.put(tp, OffsetSpec.earliest());
        }));
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends = admin.listOffsets(latest).all().get(5, TimeUnit.SECONDS);
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> starts = admin.listOffsets(earliest).all().get(5, TimeUnit.SECONDS);
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(groupId)
                .partitionsToOffsetAndMetadata().get(5, TimeUnit.SECONDS);
        for (Map.Entry<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> end : ends.entrySet()) {
            long endOffset = end.getValue().offset();
            if (endOffset <= starts.get(end.getKey()).offset()) {
                continue; // empty partition
            }
            OffsetAndMetadata done = committed.get(end.getKey());
            if (done == null || done.offset() < endOffset) {
                return false;
            }
        }
        return true;
    }

    /**
     * Stops polling and gives the batches in flight the shutdown timeout (the route still runs: Camel stops a route's
     * consumer before it waits for the route's exchanges); what finished is committed, the rest is read again later.
     */
    @Override
    protected void doStop() throws Exception {
        if (poller != null) {
            poller.stop();
            pollingThread.join(getEndpoint().getShutdownTimeout() + 10_000);
            poller = null;
        }
        if (watcher != null) {
            watcher.shutdownNow();
            watcher = null;
        }
        if (admin != null) {
            admin.close();
            admin = null;
        }
        if (check != null) {
            HealthCheckRegistry health = HealthCheckRegistry.get(getEndpoint().getCamelContext());
            if (health != null) {
                health.unregister(check);
            }
            check = null;
        }
        super.doStop();
    }
}
