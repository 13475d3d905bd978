package io.auditrelay.sink.kafka;

import io.auditrelay.event.AuditEvent;
import io.auditrelay.sink.EventFormat;
import io.auditrelay.event.EventSink;
import io.auditrelay.spine.DeadLetterStore;
import org.apache.camel.support.service.ServiceSupport;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The Kafka sink: key = the canonical id (one event always lands in one partition), value = the canonical JSON,
 * CloudEvents Kafka binary-mode headers ({@code ce_specversion}, {@code ce_id}, {@code ce_source},
 * {@code ce_type}, {@code ce_time}, {@code content-type}); an idempotent producer with {@code acks=all}.
 *
 * <p>Acknowledgement: {@link #acceptFrom} hands the record to the producer without waiting; {@link #flush}, which the
 * spine calls at the end of each source unit before the unit is acknowledged, waits until the broker acked every
 * record sent so far. A record the broker refuses after the producer's own retries is dead-lettered there, with
 * its canonical event. This is a plain KafkaProducer rather than camel-kafka's producer because the unit must
 * wait for all of its sends at once: sending each event synchronously costs one broker round trip per event.
 * A send refused at once (e.g. a record over max.request.size) fails accept, so the sink's retry budget applies.
 */
public class KafkaSink extends ServiceSupport implements EventSink {

    public static final String NAME = "kafka";
    private static final Logger LOG = LoggerFactory.getLogger(KafkaSink.class);

    /** A record handed to the producer, until a flush saw its ack (or dead-lettered it): settled under its monitor. */
    private static final class Pending {
        final AuditEvent event;
        final String location;
        final Future<RecordMetadata> sent;
        boolean settled;

        Pending(AuditEvent event, String location, Future<RecordMetadata> sent) {
            this.event = event;
            this.location = location;
            this.sent = sent;
        }
    }

    private final Map<String, Object> producerConfig;
    private final String topic;
    private final DeadLetterStore deadLetters;
    private volatile EventFormat format = EventFormat.CANONICAL;
    /** Sent and not settled yet, in send order (settled ones are dropped from its head). */
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    private KafkaProducer<String, byte[]> producer;

    public KafkaSink(Map<String, Object> producerConfig, String topic, DeadLetterStore deadLetters) {
        this.producerConfig = producerConfig;
        this.topic = topic;
        this.deadLetters = deadLetters;
    }

    /** The producer settings: the relay's fixed ones, then {@code relay.sink.kafka.kafka.*} pass-through. */
    public static Map<String, Object> producerConfig(String brokers, int lingerMs, int batchBytes,
                                                     Map<String, Object> clientProperties) {
        Map<String, Object> config = new java.util.LinkedHashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, brokers);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.LINGER_MS_CONFIG, lingerMs);
        config.put(ProducerConfig.BATCH_SIZE_CONFIG, batchBytes);
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        config.putAll(clientProperties);
        return config;
    }

    /** Writes events in this format (set before the sink starts). */
    public KafkaSink format(EventFormat eventFormat) {
        this.format = eventFormat;
        return this;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void accept(AuditEvent event) throws Exception {
        acceptFrom(event, null);
    }

    @Override
    public void acceptFrom(AuditEvent event, String location) throws Exception {
        Future<RecordMetadata> sent = producer().send(new ProducerRecord<>(topic, null, event.id(),
                format.bytes(event), cloudEventsHeaders(event)));
        if (sent.isDone()) {
            try {
                sent.get();
            } catch (ExecutionException e) {
                throw e.getCause() instanceof Exception cause ? cause : e;
            }
        }
        synchronized (pending) {
            pending.add(new Pending(event, location, sent));
        }
    }

    /**
     * The event's CloudEvents Kafka binary-mode headers: {@code ce_specversion}, {@code ce_id}, {@code ce_source},
     * {@code ce_type}, {@code ce_time}, {@code content-type}.
     */
    public static RecordHeaders cloudEventsHeaders(AuditEvent event) {
        RecordHeaders headers = new RecordHeaders();
        headers.add("ce_specversion", SPEC_VERSION);
        header(headers, "ce_id", event.id());
        headers.add("ce_source", CE_SOURCE.computeIfAbsent(String.valueOf(event.vendor()),
                vendor -> utf8("audit-relay/" + vendor)));
        headers.add("ce_type", ceType(event.vendor(), event.action()));
        header(headers, "ce_time", event.time());
        headers.add("content-type", CONTENT_TYPE);
        return headers;
    }

    /** Header values that repeat from event to event, encoded once (the producer only reads them). */
    private static final byte[] SPEC_VERSION = utf8("1.0");
    private static final byte[] CONTENT_TYPE = utf8("application/json");
    private static final Map<String, byte[]> CE_SOURCE = new ConcurrentHashMap<>();
    /** ce_type by vendor and action; actions are a vendor's fixed vocabulary, bounded anyway against odd input. */
    private static final Map<String, Map<String, byte[]>> CE_TYPE = new ConcurrentHashMap<>();
    private static final int MAX_CACHED_TYPES = 10_000;
    /** A longer action (hostile input can reach relay.input.max-field-length) is encoded per record, not kept. */
    private static final int MAX_CACHED_ACTION_LENGTH = 200;
    private static final AtomicInteger CACHED_TYPES = new AtomicInteger();

    static byte[] ceType(String vendor, String action) {
        Map<String, byte[]> byAction = CE_TYPE.computeIfAbsent(String.valueOf(vendor), v -> new ConcurrentHashMap<>());
        String key = String.valueOf(action);
        byte[] cached = byAction.get(key);
        if (cached != null) {
            return cached;
        }
        byte[] type = utf8("audit." + vendor + "." + action);
        if (key.length() <= MAX_CACHED_ACTION_LENGTH && CACHED_TYPES.get() < MAX_CACHED_TYPES
                && byAction.putIfAbsent(key, type) == null) {
            CACHED_TYPES.incrementAndGet();
        }
        return type;
    }

    private static byte[] utf8(String value) {
        return value.getBytes(StandardCharsets.UTF_8);
    }

    private static void header(RecordHeaders headers, String name, String value) {
        if (value != null) {
            headers.add(name, value.getBytes(StandardCharsets.UTF_8));
        }
    }

    /**
     * Waits until the broker acked every record sent so far, also those another flush is waiting for (units of
     * several sources, or several batches of one source, flush at the same time: each returns only when every record
     * sent before it was settled); dead-letters the ones it refused, each once.
     */
    @Override
    public void flush() throws Exception {
        List<Pending> sent;
        synchronized (pending) {
            if (pending.isEmpty()) {
                return;
            }
            sent = new ArrayList<>(pending);
        }
        producer().flush();
        for (Pending p : sent) {
            settle(p);
        }
        synchronized (pending) {
            while (!pending.isEmpty() && isSettled(pending.peekFirst())) {
                pending.pollFirst();
            }
        }
    }

    private void settle(Pending p) throws Exception {
        synchronized (p) {
            if (p.settled) {
                return;
            }
            try {
                p.sent.get();
            } catch (ExecutionException e) {
                LOG.warn("Kafka refused event {}: {}", p.event.id(), e.getCause().toString());
                deadLetters.recordEvent(p.event, NAME, p.location, e.getCause());
            }
            p.settled = true;
        }
    }

    private static boolean isSettled(Pending p) {
        synchronized (p) {
            return p.settled;
        }
    }

    private synchronized KafkaProducer<String, byte[]> producer() {
        if (producer == null) {
            throw new IllegalStateException("the Kafka sink is not running");
        }
        return producer;
    }

    @Override
    protected synchronized void doStart() {
        producer = new KafkaProducer<>(producerConfig);
        LOG.info("Kafka sink sends to topic {} at {}", topic, producerConfig.get(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG));
    }

    @Override
    protected synchronized void doStop() {
        if (producer != null) {
            producer.close(Duration.ofSeconds(30));
            producer = null;
        }
    }
}
