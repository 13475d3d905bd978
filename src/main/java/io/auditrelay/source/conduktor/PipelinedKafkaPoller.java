package io.auditrelay.source.conduktor;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * A Kafka consumer loop that keeps up to {@code batchesInFlight} poll batches in flight and commits them in order.
 *
 * <p>Why not camel-kafka's consumer: it processes a poll batch on the polling thread and polls again only after
 * the batch came back, so fetching, parsing and committing never overlap with delivery (bench/README.md, finding
 * 11). Here the polling thread prepares batch k+1 (parse) while batch k is delivered; with {@code deliveryThreads}
 * above 1, batch k+1 is delivered while batch k still waits for its sinks (e.g. the broker's acks at the end of
 * the unit), as a plain at-least-once loop keeps sending while earlier sends are in flight (finding 14), and each
 * batch is prepared on its delivery thread, so the polling thread only polls and commits (finding 21).
 *
 * <p>At-least-once is kept: batches start their delivery in poll order, and a batch's offsets are committed
 * (on the polling thread, the only one that touches the consumer; asynchronously while polling, synchronously before
 * a revocation and on stop) only after it and every batch before it came back. If a delivery throws, nothing from that batch on is committed and the batches behind it
 * that have not started are not delivered (one that was already in delivery finishes and is read again, its events
 * dropped by the spine's dedupe): the poller seeks every partition back to the failed batch's first offsets and reads
 * them again after {@code retryDelay}. Before partitions are revoked in a rebalance, every batch in flight is finished and
 * committed, so the next owner starts where this one stopped. On stop the batches in flight get
 * {@code shutdownTimeout} to finish; what finished is committed, the rest is read again after the restart.
 *
 * @param <V> the type of the record values
 * @param <U> what a poll batch is prepared into before its delivery
 */
public final class PipelinedKafkaPoller<V, U> implements Runnable {

    /** Delivers a prepared batch on the delivery thread; a batch is committed only if this returns normally. */
    @FunctionalInterface
    public interface Delivery<U> {
        void deliver(U batch) throws Exception;
    }

    private static final Logger LOG = LoggerFactory.getLogger(PipelinedKafkaPoller.class);

    private final Consumer<String, V> consumer;
    private final Collection<String> topics;
    private final Function<ConsumerRecords<String, V>, U> prepare;
    private final Delivery<U> delivery;
    private final int batchesInFlight;
    private long maxBytesInFlight = Long.MAX_VALUE;
    private final Duration pollTimeout;
    private final Duration shutdownTimeout;
    private final Duration retryDelay;
    private final ExecutorService deliveryThread;
    /** Several delivery threads: a batch is prepared on its delivery thread, not on the polling thread. */
    private final boolean prepareOnDeliveryThread;
    private final Deque<InFlight> inFlight = new ArrayDeque<>();
    private volatile boolean running = true;
    private volatile String lastPollError;
    private volatile RuntimeException lastPollFailure;
    /** Set by the delivery thread when a batch failed: the batches behind it are not delivered until the rewind. */
    private volatile boolean halted;
    private final Set<TopicPartition> paused = new HashSet<>();
    /** Per partition this consumer owns, the offset after the last batch delivered in order: what is (to be) committed. */
    private final Map<TopicPartition, OffsetAndMetadata> delivered = new HashMap<>();
    /** An asynchronous commit failed (or a synchronous one was cut short): the next commit includes every partition. */
    private boolean recommit;

    /**
     * A submitted batch: its delivery, per partition its first offset and the offset to commit after it, and the bytes
     * of its keys and values as the broker sent them.
     */
    private record InFlight(Future<?> done, Map<TopicPartition, Long> first, Map<TopicPartition, OffsetAndMetadata> next,
                            long bytes) {
    }

    /** One delivery thread: batches are delivered one at a time, in poll order. */
    public PipelinedKafkaPoller(Consumer<String, V> consumer, Collection<String> topics,
                                Function<ConsumerRecords<String, V>, U> prepare, Delivery<U> delivery,
                                int batchesInFlight, Duration pollTimeout, Duration shutdownTimeout, Duration retryDelay,
                                String name) {
        this(consumer, topics, prepare, delivery, batchesInFlight, 1, pollTimeout, shutdownTimeout, retryDelay, name);
    }

    /**
     * {@code deliveryThreads} batches (at most {@code batchesInFlight}) are delivered at once; they start in poll order
     * and are committed in poll order.
     */
    public PipelinedKafkaPoller(Consumer<String, V> consumer, Collection<String> topics,
                                Function<ConsumerRecords<String, V>, U> prepare, Delivery<U> delivery,
                                int batchesInFlight, int deliveryThreads, Duration pollTimeout, Duration shutdownTimeout,
                                Duration retryDelay, String name) {
        if (batchesInFlight < 1) {
            throw new IllegalArgumentException("batches in flight must be at least 1, was " + batchesInFlight);
        }
        if (deliveryThreads < 1) {
            throw new IllegalArgumentException("delivery threads must be at least 1, was " + deliveryThreads);
        }
        this.consumer = consumer;
        this.topics = List.copyOf(topics);
        this.prepare = prepare;
        this.delivery = delivery;
        this.batchesInFlight = batchesInFlight;
        this.pollTimeout = pollTimeout;
        this.shutdownTimeout = shutdownTimeout;
        this.retryDelay = retryDelay;
        java.util.concurrent.atomic.AtomicInteger threads = new java.util.concurrent.atomic.AtomicInteger();
        int size = Math.min(deliveryThreads, batchesInFlight);
        this.prepareOnDeliveryThread = size > 1;
        this.deliveryThread = Executors.newFixedThreadPool(size,
                r -> new Thread(r, name + "-delivery" + (size == 1 ? "" : "-" + threads.incrementAndGet())));
    }

    /**
     * Polls no further batch while the batches in flight hold this many bytes of keys and values (as the broker sent
     * them) or more, so large records do not multiply by {@code batchesInFlight} in memory (one batch may go over it
     * alone). Unbounded unless set; set it before the loop runs.
     */
    public PipelinedKafkaPoller<V, U> maxBytesInFlight(long bytes) {
        if (bytes < 1) {
            throw new IllegalArgumentException("max bytes in flight must be at least 1, was " + bytes);
        }
        this.maxBytesInFlight = bytes;
        return this;
    }

    /** Ends the loop: the current poll is woken up, the batches in flight get the shutdown timeout. */
    public void stop() {
        running = false;
        consumer.wakeup();
    }

    /** Why the last poll failed (authentication, authorization, ...), or null when the last poll succeeded. */
    public String lastPollError() {
        return lastPollError;
    }

    /** What the last poll threw (e.g. an AuthenticationException), or null when the last poll succeeded. */
    public RuntimeException lastPollFailure() {
        return lastPollFailure;
    }

    @Override
    public void run() {
        try {
            consumer.subscribe(topics, new Rebalance());
            while (running) {
                pollOnce();
            }
        } catch (WakeupException e) {
            if (running) {
                throw e;
            }
        } catch (RuntimeException e) {
            lastPollError = "the consumer loop ended: " + e;
            LOG.error("The consumer loop of {} ended; nothing after the last commit is lost, it is read after a restart",
                    topics, e);
            throw e;
        } finally {
            shutdown();
        }
    }

    private void pollOnce() {
        if (isFull()) {
            // Wait for the oldest batch before pausing: a partition paused while the consumer is still handing out
            // the records of its last fetch loses the rest of that fetch (the client drains it), and the broker
            // sends those records again after the resume. A batch usually finishes well within the poll timeout.
            awaitHead(pollTimeout);
            settle(consumer.assignment(), false);
        }
        boolean full = isFull();
        if (full) {
            pauseAll();
        } else {
            resumeAll();
        }
        ConsumerRecords<String, V> records;
        try {
            // while full, poll only to stay in the group (the partitions are paused)
            records = consumer.poll(full ? Duration.ZERO : pollTimeout);
            lastPollError = null;
            lastPollFailure = null;
        } catch (WakeupException e) {
            throw e;
        } catch (RuntimeException e) {
            lastPollError = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
            lastPollFailure = e;
            LOG.error("Polling {} failed, retrying in {} ms: {}", topics, retryDelay.toMillis(), lastPollError);
            sleep(retryDelay);
            return;
        }
        if (!records.isEmpty()) {
            submit(records);
        }
        settle(consumer.assignment(), false);
    }

    private boolean isFull() {
        return inFlight.size() >= batchesInFlight || bytesInFlight() >= maxBytesInFlight;
    }

    private void submit(ConsumerRecords<String, V> records) {
        Map<TopicPartition, Long> first = new HashMap<>();
        Map<TopicPartition, OffsetAndMetadata> next = new HashMap<>();
        for (TopicPartition partition : records.partitions()) {
            List<ConsumerRecord<String, V>> part = records.records(partition);
            first.put(partition, part.get(0).offset());
            next.put(partition, new OffsetAndMetadata(part.get(part.size() - 1).offset() + 1));
        }
        long bytes = 0;
        for (ConsumerRecord<String, V> record : records) {
            bytes += Math.max(0, record.serializedKeySize()) + Math.max(0, record.serializedValueSize());
        }
        U prepared = prepareOnDeliveryThread ? null : prepare.apply(records);
        inFlight.add(new InFlight(deliveryThread.submit(() -> {
            if (halted) {
                throw new IllegalStateException("not delivered: an earlier batch failed");
            }
            try {
                delivery.deliver(prepareOnDeliveryThread ? prepare.apply(records) : prepared);
            } catch (Exception | Error e) {
                halted = true;
                throw e;
            }
            return null;
        }), first, next, bytes));
    }

    private long bytesInFlight() {
        long bytes = 0;
        for (InFlight batch : inFlight) {
            bytes += batch.bytes();
        }
        return bytes;
    }

    /**
     * Commits every finished batch at the head of the queue, in order, in one commit: asynchronously while polling
     * (a synchronous commit is a broker round trip per batch on the polling thread, which then neither polls nor hands
     * out batches; a failed asynchronous commit is repeated with the next one), synchronously when {@code sync}
     * (before partitions are revoked, on the way out). A failed batch rewinds {@code assigned} (the partitions this
     * consumer still owns) to the first offsets of the failed batch and the batches after it.
     */
    private void settle(Set<TopicPartition> assigned, boolean sync) {
        Map<TopicPartition, OffsetAndMetadata> done = new HashMap<>();
        InFlight failed = null;
        Throwable cause = null;
        while (!inFlight.isEmpty() && inFlight.peek().done().isDone()) {
            InFlight head = inFlight.poll();
            try {
                head.done().get();
                done.putAll(head.next()); // later batches have the higher offsets
            } catch (ExecutionException e) {
                failed = head;
                cause = e.getCause();
                break;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                inFlight.addFirst(head);
                break;
            }
        }
        commit(done, sync);
        if (failed != null) {
            rewind(failed, cause, assigned);
        }
    }

    private void commit(Map<TopicPartition, OffsetAndMetadata> done, boolean sync) {
        if (done.isEmpty() && !recommit) {
            return;
        }
        delivered.putAll(done);
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>(recommit ? delivered : done);
        recommit = false;
        if (!sync) {
            consumer.commitAsync(offsets, (committed, e) -> {
                // on the polling thread, inside a later poll or commit: the highest offsets delivered are committed
                // again with the next commit (a later commit may have covered them already; committing them again is
                // harmless, an older offset is never committed after a newer one)
                if (e != null) {
                    LOG.debug("Committing {} failed, committed again with the next commit: {}", committed, e.toString());
                    recommit = true;
                }
            });
            return;
        }
        try {
            consumer.commitSync(offsets);
        } catch (WakeupException e) {
            recommit = true;
            throw e; // stopping: committed on the way out
        } catch (RuntimeException e) {
            // delivered but not committed (e.g. the group is rebalancing): read again later, dropped as duplicates
            LOG.warn("Committing {} failed; those records will be read again: {}", offsets, e.toString());
        }
    }

    private void rewind(InFlight failed, Throwable cause, Set<TopicPartition> assigned) {
        Map<TopicPartition, Long> from = new HashMap<>(failed.first());
        for (InFlight later : inFlight) {
            awaitQuietly(later, null);
            later.first().forEach((tp, offset) -> from.merge(tp, offset, Math::min));
        }
        inFlight.clear();
        halted = false;
        from.forEach((tp, offset) -> {
            if (assigned.contains(tp)) {
                consumer.seek(tp, offset);
            }
        });
        // one line, no stack trace: the route's error handler has logged the exception with its stack already
        LOG.warn("Delivering a batch from {} failed; nothing from it on is committed, reading again from {} in {} ms: {}",
                topics, from, retryDelay.toMillis(), String.valueOf(cause));
        sleep(retryDelay);
    }

    /** Waits for every batch in flight (up to {@code limit}, null: no limit), then commits what finished, in order. */
    private void finishAll(Duration limit, Set<TopicPartition> assigned) {
        long deadline = limit == null ? Long.MAX_VALUE : System.nanoTime() + limit.toNanos();
        for (InFlight batch : inFlight) {
            if (!awaitQuietly(batch, limit == null ? null : Duration.ofNanos(Math.max(0, deadline - System.nanoTime())))) {
                break;
            }
        }
        settle(assigned, true);
        if (!inFlight.isEmpty()) {
            LOG.warn("{} batch(es) from {} did not finish in time and are not committed; they are read again later",
                    inFlight.size(), topics);
            inFlight.clear();
        }
    }

    private void awaitHead(Duration limit) {
        InFlight head = inFlight.peek();
        if (head != null) {
            awaitQuietly(head, limit);
        }
    }

    /** True when the batch finished (either way) within {@code limit} (null: no limit). */
    private static boolean awaitQuietly(InFlight batch, Duration limit) {
        try {
            if (limit == null) {
                batch.done().get();
            } else {
                batch.done().get(limit.toNanos(), TimeUnit.NANOSECONDS);
            }
        } catch (ExecutionException e) {
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        return true;
    }

    private void pauseAll() {
        Set<TopicPartition> assigned = consumer.assignment();
        if (!paused.containsAll(assigned)) {
            consumer.pause(assigned);
            paused.addAll(assigned);
        }
    }

    private void resumeAll() {
        if (!paused.isEmpty()) {
            consumer.resume(paused);
            paused.clear();
        }
    }

    private void sleep(Duration delay) {
        try {
            Thread.sleep(delay.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void shutdown() {
        try {
            try {
                finishAll(shutdownTimeout, consumer.assignment());
            } catch (WakeupException e) {
                // the wake-up of stop() had not been used by a poll yet; it is used now
                finishAll(shutdownTimeout, consumer.assignment());
            }
        } catch (RuntimeException e) {
            LOG.warn("Committing the last batches from {} failed; they are read again after the restart: {}", topics, e.toString());
        } finally {
            deliveryThread.shutdownNow();
            consumer.close(Duration.ofSeconds(5));
        }
    }

    /** Runs on the polling thread, inside poll. */
    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> revoked) {
            Set<TopicPartition> kept = new HashSet<>(consumer.assignment());
            kept.removeAll(revoked);
            finishAll(null, kept);
            paused.removeAll(revoked);
            delivered.keySet().removeAll(revoked);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> assigned) {
            // nothing to do: the group's committed offsets are where reading starts
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> lost) {
            // another member owns them already: what is in flight finishes but is not committed
            inFlight.forEach(batch -> awaitQuietly(batch, null));
            inFlight.clear();
            halted = false;
            paused.removeAll(lost);
            delivered.keySet().removeAll(lost);
        }
    }
}
