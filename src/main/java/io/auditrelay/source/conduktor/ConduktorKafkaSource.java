package io.auditrelay.source.conduktor;

import io.auditrelay.spine.Normalizer;
import io.auditrelay.spine.SourceRecord;
import io.auditrelay.spine.OnceCoordinator;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.component.kafka.consumer.KafkaManualCommit;
import org.apache.camel.support.service.ServiceSupport;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The Conduktor source's logic behind route {@code source-conduktor-kafka} (camel-kafka, {@code batching=true},
 * manual commit). For each poll batch: the records go as one unit into {@code direct:ingest-batch} (binary-mode
 * CloudEvents are rebuilt to structured JSON first); only when the whole batch came back (delivered or
 * dead-lettered, and every sink flushed) the offsets are committed, one commit per partition. If the batch fails,
 * nothing is committed and the exception is rethrown: with {@code breakOnFirstError=true} the consumer seeks
 * back and the batch is read again (the spine and the sinks drop what they already hold).
 *
 * <p>With {@code relay.once=true} a watcher compares the group's committed offsets with the end offsets of the
 * topics (Kafka Admin client, same connection settings) and reports {@code conduktor-kafka} drained when the
 * group has committed everything that is on the topics now.
 */
public class ConduktorKafkaSource extends ServiceSupport {

    public static final String SOURCE = "conduktor-kafka";
    public static final String VENDOR = "conduktor";
    private static final Logger LOG = LoggerFactory.getLogger(ConduktorKafkaSource.class);

    private final CamelContext context;
    private final List<String> topics;
    private final String groupId;
    private final Properties adminProperties;
    private final OnceCoordinator coordinator;
    private volatile boolean enabled;
    private ProducerTemplate template;
    private ScheduledExecutorService watcher;
    private Admin admin;

    public ConduktorKafkaSource(CamelContext context, List<String> topics, String groupId, Properties adminProperties,
                                OnceCoordinator coordinator) {
        this.context = context;
        this.topics = List.copyOf(topics);
        this.groupId = groupId;
        this.adminProperties = adminProperties;
        this.coordinator = coordinator;
    }

    /** Marks the source enabled: only then does starting it (as a service or as the route's bean) watch for the drain. */
    public void enable() {
        this.enabled = true;
    }

    /** Processes one batch exchange (body: the list of record exchanges), then commits it. */
    public void process(Exchange batch) throws Exception {
        @SuppressWarnings("unchecked")
        List<Exchange> records = batch.getMessage().getBody(List.class);
        if (records == null || records.isEmpty()) {
            return;
        }
        Map<String, KafkaManualCommit> commits = new LinkedHashMap<>();
        List<SourceRecord> unit = new java.util.ArrayList<>(records.size());
        for (Exchange record : records) {
            Message in = record.getMessage();
            String topic = in.getHeader(KafkaConstants.TOPIC, String.class);
            Integer partition = in.getHeader(KafkaConstants.PARTITION, Integer.class);
            Long offset = in.getHeader(KafkaConstants.OFFSET, Long.class);
            String text = CloudEvents.structured(in.getHeaders(), in.getBody(String.class));
            unit.add(Normalizer.parse(VENDOR, text, topic + "/" + partition + "/" + offset));
            KafkaManualCommit commit = in.getHeader(KafkaConstants.MANUAL_COMMIT, KafkaManualCommit.class);
            if (commit != null) {
                commits.put(topic + "/" + partition, commit);
            }
        }
        // the poll batch is one unit: delivered to every sink (or dead-lettered) and flushed, then committed
        Exchange out = producer().send("direct:ingest-batch", ex -> ex.getMessage().setBody(unit));
        if (out.getException() != null) {
            throw out.getException();
        }
        for (KafkaManualCommit commit : commits.values()) {
            commit.commit();
        }
    }

    private synchronized ProducerTemplate producer() {
        if (template == null) {
            template = context.createProducerTemplate();
        }
        return template;
    }

    @Override
    protected void doStart() {
        if (!enabled || coordinator == null || !coordinator.once() || admin != null) {
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

    @Override
    protected void doStop() throws Exception {
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
