package io.auditrelay.source.conduktor;

import io.auditrelay.spine.Normalizer;
import io.auditrelay.spine.SourceRecord;
import io.auditrelay.spine.OnceCoordinator;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.spi.EventNotifier;
import org.apache.camel.support.EventNotifierSupport;
import org.apache.camel.support.service.ServiceSupport;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.header.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The Conduktor source: a {@link PipelinedKafkaPoller} on the topics whose poll batches go, one unit each, to
 * route {@code source-conduktor-kafka} (routes/source-conduktor-kafka.yaml, which hands them to
 * {@code direct:ingest-batch}). Records are turned into {@link SourceRecord}s on the polling thread (binary-mode
 * CloudEvents are rebuilt to structured JSON first; each record's location is {@code TOPIC/PARTITION/OFFSET}); a
 * batch's offsets are committed only when the route returned without an exception (every record delivered to every
 * enabled sink or dead-lettered, every sink flushed). A batch that fails is read again.
 *
 * <p>With {@code relay.once=true} a watcher compares the group's committed offsets with the end offsets of the
 * topics (Kafka Admin client, same connection settings) and reports {@code conduktor-kafka} drained when the
 * group has committed everything that is on the topics now.
 */
public class ConduktorKafkaSource extends ServiceSupport {

    public static final String SOURCE = "conduktor-kafka";
    public static final String VENDOR = "conduktor";
    public static final String ROUTE = "direct:source-conduktor-kafka";
    private static final Logger LOG = LoggerFactory.getLogger(ConduktorKafkaSource.class);

    /** How the poller runs: batches in flight, poll timeout, how long a stop waits, the pause after a failure. */
    public record Tuning(int batchesInFlight, Duration pollTimeout, Duration shutdownTimeout, Duration retryDelay) {
    }

    private final CamelContext context;
    private final List<String> topics;
    private final Properties consumerProperties;
    private final Properties adminProperties;
    private final Tuning tuning;
    private final OnceCoordinator coordinator;
    private ProducerTemplate template;
    private PipelinedKafkaPoller<List<SourceRecord>> poller;
    private Thread pollingThread;
    private ScheduledExecutorService watcher;
    private Admin admin;

    public ConduktorKafkaSource(CamelContext context, List<String> topics, Properties consumerProperties,
                                Properties adminProperties, Tuning tuning, OnceCoordinator coordinator) {
        this.context = context;
        this.topics = List.copyOf(topics);
        this.consumerProperties = consumerProperties;
        this.adminProperties = adminProperties;
        this.tuning = tuning;
        this.coordinator = coordinator;
    }

    /** The Kafka consumer's configuration (client properties, group, no auto-commit, String deserializers). */
    public Properties consumerProperties() {
        return consumerProperties;
    }

    /** Why the consumer cannot read now, or null. */
    public String problem() {
        if (poller == null) {
            return null;
        }
        String error = poller.lastPollError();
        if (error == null && !pollingThread.isAlive() && isRunAllowed()) {
            return "the consumer loop has ended";
        }
        return error;
    }

    /** One poll batch as one unit of source records, in poll order. */
    static List<SourceRecord> unit(ConsumerRecords<String, String> records) {
        List<SourceRecord> unit = new ArrayList<>(records.count());
        for (ConsumerRecord<String, String> record : records) {
            String text = CloudEvents.structured(headers(record), record.value());
            unit.add(Normalizer.parse(VENDOR, text, record.topic() + "/" + record.partition() + "/" + record.offset()));
        }
        return unit;
    }

    private static Map<String, Object> headers(ConsumerRecord<String, String> record) {
        Map<String, Object> headers = new HashMap<>();
        for (Header header : record.headers()) {
            headers.put(header.key(), header.value());
        }
        return headers;
    }

    private void deliver(List<SourceRecord> unit) throws Exception {
        Exchange out = template.send(ROUTE, ex -> ex.getMessage().setBody(unit));
        if (out.getException() != null) {
            throw out.getException();
        }
    }

    @Override
    protected void doStart() {
        template = context.createProducerTemplate();
        poller = new PipelinedKafkaPoller<>(new KafkaConsumer<>(consumerProperties), topics, ConduktorKafkaSource::unit,
                this::deliver, tuning.batchesInFlight(), tuning.pollTimeout(), tuning.shutdownTimeout(),
                tuning.retryDelay(), SOURCE);
        pollingThread = new Thread(poller, SOURCE + "-poll");
        pollingThread.start();
        LOG.info("Conduktor source: polling, {} poll batch(es) of up to {} records in flight", tuning.batchesInFlight(),
                consumerProperties.get(ConsumerConfig.MAX_POLL_RECORDS_CONFIG));
        if (coordinator == null || !coordinator.once()) {
            return;
        }
        admin = Admin.create(adminProperties);
        watcher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "conduktor-kafka-drain-watcher");
            t.setDaemon(true);
            return t;
        });
        watcher.scheduleWithFixedDelay(this::checkDrained, 500, 500, TimeUnit.MILLISECONDS);
    }

    private void checkDrained() {
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
        String groupId = consumerProperties.getProperty(ConsumerConfig.GROUP_ID_CONFIG);
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
     * Stops polling and waits for the batches in flight (up to the shutdown timeout), committing what finished.
     * Called when the context starts stopping, while the routes still run, and again (a no-op) on stop.
     */
    public void stopPolling() throws InterruptedException {
        if (poller != null) {
            poller.stop();
            pollingThread.join(tuning.shutdownTimeout().toMillis() + 10_000);
        }
    }

    /** Calls {@link #stopPolling} when the context starts stopping, before routes wait for in-flight exchanges. */
    public EventNotifier shutdownListener() {
        return new EventNotifierSupport() {
            @Override
            public void notify(CamelEvent event) throws Exception {
                if (event instanceof CamelEvent.CamelContextStoppingEvent) {
                    stopPolling();
                }
            }
        };
    }

    @Override
    protected void doStop() throws Exception {
        stopPolling();
        if (watcher != null) {
            watcher.shutdownNow();
        }
        if (admin != null) {
            admin.close();
            admin = null;
        }
        if (template != null) {
            template.stop();
        }
    }
}
