package io.auditrelay.source.conduktor;

import io.auditrelay.testing.KafkaServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetCommitCallback;
import org.apache.kafka.clients.consumer.RetriableCommitFailedException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheckRegistry;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.stream.IntStream;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;

/** The pipelined poller against a real KRaft broker: overlap, commit order, failures, stop. */
@Timeout(120)
class PipelinedKafkaPollerTest {

    /** Delivered records are {@code partition * PARTITION + offset}: the offset itself on partition 0. */
    private static final long PARTITION = 1_000_000L;
    private static KafkaServer kafka;
    private final List<Thread> threads = new ArrayList<>();
    private final List<PipelinedKafkaPoller<String, List<Long>>> pollers = new ArrayList<>();
    private final String topic = "poller-" + UUID.randomUUID();
    private final String group = "g-" + UUID.randomUUID();
    /** The offsets of each batch whose delivery returned normally, in delivery order. */
    private final List<List<Long>> delivered = new CopyOnWriteArrayList<>();
    /** The offsets of each batch prepared on the polling thread, in poll order. */
    private final List<List<Long>> prepared = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void broker() {
        kafka = KafkaServer.shared();
    }

    @AfterEach
    void stopPollers() throws InterruptedException {
        pollers.forEach(PipelinedKafkaPoller::stop);
        for (Thread t : threads) {
            t.join(20_000);
        }
    }

    void send(int n) throws Exception {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName(),
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName()))) {
            for (int i = 0; i < n; i++) {
                producer.send(new ProducerRecord<>(topic, "record-" + i));
            }
            producer.flush();
        }
    }

    PipelinedKafkaPoller<String, List<Long>> start(PipelinedKafkaPoller.Delivery<List<Long>> delivery, Duration shutdownTimeout) {
        return start(delivery, shutdownTimeout, Long.MAX_VALUE);
    }

    PipelinedKafkaPoller<String, List<Long>> start(PipelinedKafkaPoller.Delivery<List<Long>> delivery, Duration shutdownTimeout,
                                                   long maxBytesInFlight) {
        return start(new KafkaConsumer<>(consumerConfig()), delivery, shutdownTimeout, maxBytesInFlight, Duration.ofMillis(100));
    }

    Map<String, Object> consumerConfig() {
        return Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, group,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "10",
                // a member learns of a rebalance at its next heartbeat: every 3 s by default
                ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, "200",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    }

    PipelinedKafkaPoller<String, List<Long>> start(KafkaConsumer<String, String> consumer,
                                                   PipelinedKafkaPoller.Delivery<List<Long>> delivery, Duration shutdownTimeout,
                                                   long maxBytesInFlight, Duration pollTimeout) {
        PipelinedKafkaPoller<String, List<Long>> poller = new PipelinedKafkaPoller<>(consumer, List.of(topic), this::offsets,
                batch -> {
                    delivery.deliver(batch);
                    delivered.add(batch);
                }, 2, pollTimeout, shutdownTimeout, Duration.ofMillis(200), "test")
                .maxBytesInFlight(maxBytesInFlight);
        Thread thread = new Thread(poller, "test-poll");
        thread.start();
        pollers.add(poller);
        threads.add(thread);
        return poller;
    }

    private List<Long> offsets(ConsumerRecords<String, String> records) {
        List<Long> offsets = new ArrayList<>();
        for (ConsumerRecord<String, String> record : records) {
            offsets.add(record.partition() * PARTITION + record.offset());
        }
        synchronized (prepared) {
            prepared.add(offsets);
            prepared.notifyAll();
        }
        return offsets;
    }

    long committed() throws Exception {
        return committed(0);
    }

    long committed(int partition) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            OffsetAndMetadata offset = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
                    .get(10, TimeUnit.SECONDS).get(new TopicPartition(topic, partition));
            return offset == null ? 0 : offset.offset();
        }
    }

    static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition not met within 60 s").isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    void awaitCommitted(long offset) throws InterruptedException {
        awaitCommitted(0, offset);
    }

    void awaitCommitted(int partition, long offset) throws InterruptedException {
        await(() -> {
            try {
                return committed(partition) == offset;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    List<Long> deliveredOffsets() {
        return delivered.stream().flatMap(List::stream).toList();
    }

    static List<Long> range(int n) {
        return IntStream.range(0, n).mapToObj(i -> (long) i).toList();
    }

    @Test
    void the_next_batch_is_polled_while_one_is_delivered_and_commits_never_pass_a_batch_still_in_delivery() throws Exception {
        send(30);
        CountDownLatch release = new CountDownLatch(1);
        List<Long> held = new CopyOnWriteArrayList<>();
        start(batch -> {
            if (batch.contains(10L)) {
                held.addAll(batch);
                release.await();
            }
        }, Duration.ofSeconds(10));

        // while the batch holding offset 10 is in delivery, a later batch is already polled and prepared
        await(() -> !held.isEmpty() && prepared.stream().anyMatch(b -> b.get(0) > Collections.max(held)));
        assertThat(committed()).isEqualTo(held.get(0));

        release.countDown();
        await(() -> deliveredOffsets().size() == 30);
        assertThat(deliveredOffsets()).containsExactlyElementsOf(range(30));
        awaitCommitted(30);
    }

    @Test
    void a_failed_batch_is_read_again_and_the_batches_behind_it_are_delivered_once_after_it() throws Exception {
        send(30);
        List<List<Long>> attempts = new CopyOnWriteArrayList<>();
        start(batch -> {
            attempts.add(batch);
            if (batch.contains(15L) && attempts.stream().filter(a -> a.contains(15L)).count() == 1) {
                // fails only once the batch behind it is polled and queued
                await(() -> prepared.stream().anyMatch(b -> b.get(0) > Collections.max(batch)));
                throw new IllegalStateException("sink refused");
            }
        }, Duration.ofSeconds(10));

        await(() -> deliveredOffsets().size() >= 30);
        assertThat(deliveredOffsets()).as("every record delivered once, in order").containsExactlyElementsOf(range(30));
        assertThat(attempts.stream().filter(a -> a.contains(15L))).hasSize(2);
        awaitCommitted(30);
    }

    @Test
    void a_stop_commits_what_finished_in_time_and_the_rest_is_read_again_by_the_next_poller() throws Exception {
        send(30);
        CountDownLatch inDelivery = new CountDownLatch(1);
        CountDownLatch stopped = new CountDownLatch(1);
        List<Long> stuck = new CopyOnWriteArrayList<>();
        PipelinedKafkaPoller<String, List<Long>> first = start(batch -> {
            if (batch.contains(10L)) {
                stuck.addAll(batch);
                inDelivery.countDown();
                stopped.await(); // a delivery that outlasts the stop's timeout
                throw new InterruptedException("stopped");
            }
        }, Duration.ofMillis(300));
        assertThat(inDelivery.await(60, TimeUnit.SECONDS)).isTrue();
        first.stop();
        threads.get(0).join(20_000);
        stopped.countDown();
        assertThat(threads.get(0).isAlive()).isFalse();
        // a poll returns up to 10 records, not always 10: the batch in delivery starts where the delivered ones end
        long from = stuck.get(0);
        assertThat(deliveredOffsets()).containsExactlyElementsOf(range((int) from));
        assertThat(committed()).isEqualTo(from);

        delivered.clear();
        start(batch -> { }, Duration.ofSeconds(10));
        await(() -> deliveredOffsets().size() >= 30 - from);
        assertThat(deliveredOffsets()).containsExactlyElementsOf(IntStream.range((int) from, 30).mapToObj(i -> (long) i).toList());
    }

    @Test
    void a_source_whose_polls_the_broker_refuses_is_not_ready_and_says_why() throws Exception {
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            context.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    // '!' is not allowed in a topic name: the broker refuses every poll
                    from("audit-conduktor:not-a-valid-topic-name!?brokers=" + kafka.bootstrapServers() + "&groupId=" + group
                            + "&pollTimeout=100&shutdownTimeout=1000&retryDelay=100")
                            .to("log:unused");
                }
            });
            context.start();
            HealthCheck check = HealthCheckRegistry.get(context).getCheck(ConduktorKafkaHealthCheck.ID).orElseThrow();
            await(() -> check.call().getState() == HealthCheck.State.DOWN);
            HealthCheck.Result result = check.call();
            assertThat(result.getState()).isEqualTo(HealthCheck.State.DOWN);
            assertThat(result.getMessage()).hasValueSatisfying(m -> assertThat(m).contains("InvalidTopic"));
        }
    }

    @Test
    void a_poll_the_broker_refuses_is_kept_with_its_type_so_a_run_can_tell_refused_credentials_apart() throws Exception {
        MockConsumer<String, String> consumer = new MockConsumer<>(OffsetResetStrategy.EARLIEST);
        consumer.setPollException(new SaslAuthenticationException("Authentication failed: Invalid username or password"));
        PipelinedKafkaPoller<String, List<Long>> poller = new PipelinedKafkaPoller<>(consumer, List.of(topic), this::offsets,
                batch -> { }, 2, Duration.ofMillis(50), Duration.ofSeconds(1), Duration.ofSeconds(2), "mock");
        Thread thread = new Thread(poller, "mock-poll");
        thread.start();
        pollers.add(poller);
        threads.add(thread);
        await(() -> poller.lastPollFailure() != null);
        assertThat(poller.lastPollFailure()).isInstanceOf(AuthenticationException.class);
        assertThat(poller.lastPollError()).contains("Invalid username or password");
        // the next poll succeeds: the failure is forgotten
        await(() -> poller.lastPollFailure() == null && poller.lastPollError() == null);
    }

    /** A consumer that counts the calls to pause. */
    KafkaConsumer<String, String> countingPauses(AtomicInteger pauses) {
        return new KafkaConsumer<>(consumerConfig()) {
            @Override
            public void pause(java.util.Collection<TopicPartition> partitions) {
                pauses.incrementAndGet();
                super.pause(partitions);
            }
        };
    }

    @Test
    void while_the_oldest_batch_finishes_within_the_poll_timeout_the_partitions_are_never_paused() throws Exception {
        // a partition paused while the client still hands out the records of its last fetch loses the rest of that
        // fetch, which the broker then sends again: a full poller waits for its oldest batch before it pauses
        send(100); // ten batches of ten; two in flight, each delivered in 20 ms, well within a poll timeout of 2 s
        AtomicInteger pauses = new AtomicInteger();
        start(countingPauses(pauses), batch -> Thread.sleep(20), Duration.ofSeconds(10), Long.MAX_VALUE, Duration.ofSeconds(2));

        awaitCommitted(100);
        assertThat(deliveredOffsets()).containsExactlyInAnyOrderElementsOf(range(100));
        assertThat(pauses).hasValue(0);
    }

    @Test
    void a_batch_slower_than_the_poll_timeout_pauses_the_partitions_and_nothing_is_lost_or_repeated() throws Exception {
        send(40); // four batches of ten; a batch is held until the poller paused (beyond its poll timeout of 100 ms, with
        // two batches in flight): meanwhile the poller polls paused, to stay in the group
        AtomicInteger pauses = new AtomicInteger();
        start(countingPauses(pauses), batch -> await(() -> pauses.get() > 0), Duration.ofSeconds(10), Long.MAX_VALUE,
                Duration.ofMillis(100));

        awaitCommitted(40);
        assertThat(deliveredOffsets()).containsExactlyInAnyOrderElementsOf(range(40));
        assertThat(pauses).hasPositiveValue();
    }

    @Test
    void over_the_byte_budget_the_next_batch_is_polled_only_after_the_one_in_flight_was_committed() throws Exception {
        send(30); // "record-N": 8 or 9 bytes each, ten per poll, so one batch is over a budget of 50 bytes
        List<Boolean> polledMeanwhile = new CopyOnWriteArrayList<>();
        start(batch -> {
            // a slow sink: for half a second, does the poller prepare another batch while this one is in flight?
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500);
            synchronized (prepared) {
                int before = prepared.size();
                for (long left = deadline - System.nanoTime(); prepared.size() == before && left > 0;
                     left = deadline - System.nanoTime()) {
                    TimeUnit.NANOSECONDS.timedWait(prepared, left); // woken by the next prepare, if any
                }
                polledMeanwhile.add(prepared.size() > before);
            }
        }, Duration.ofSeconds(10), 50);

        awaitCommitted(30);
        assertThat(delivered.stream().mapToLong(List::size).sum()).isEqualTo(30);
        assertThat(polledMeanwhile).hasSize(delivered.size()).containsOnly(false);
    }

    @Test
    void a_commit_the_broker_refuses_is_made_again_by_the_next_one_even_when_no_batch_follows() throws Exception {
        TopicPartition partition = new TopicPartition(topic, 0);
        AtomicInteger commits = new AtomicInteger();
        MockConsumer<String, String> consumer = new MockConsumer<>(OffsetResetStrategy.EARLIEST) {
            @Override
            public synchronized void commitAsync(Map<TopicPartition, OffsetAndMetadata> offsets, OffsetCommitCallback callback) {
                if (commits.incrementAndGet() == 1) {
                    callback.onComplete(offsets, new RetriableCommitFailedException("the coordinator is loading"));
                    return;
                }
                super.commitAsync(offsets, callback);
            }
        };
        consumer.schedulePollTask(() -> {
            consumer.rebalance(List.of(partition));
            consumer.updateBeginningOffsets(Map.of(partition, 0L));
            for (int i = 0; i < 10; i++) {
                consumer.addRecord(new ConsumerRecord<>(topic, 0, i, null, "record-" + i));
            }
        });
        PipelinedKafkaPoller<String, List<Long>> poller = new PipelinedKafkaPoller<>(consumer, List.of(topic), this::offsets,
                delivered::add, 2, Duration.ofMillis(50), Duration.ofSeconds(1), Duration.ofSeconds(2), "mock");
        Thread thread = new Thread(poller, "mock-poll");
        thread.start();
        pollers.add(poller);
        threads.add(thread);
        await(() -> {
            OffsetAndMetadata committed = consumer.committed(Set.of(partition)).get(partition);
            return committed != null && committed.offset() == 10;
        });
        assertThat(delivered).containsExactly(LongStream.range(0, 10).boxed().toList());
        assertThat(commits.get()).as("the refused commit, then the one that made it again").isGreaterThanOrEqualTo(2);
    }

    @Test
    void a_second_member_joining_mid_stream_takes_over_from_the_commits_of_the_first_and_nothing_is_lost_or_repeated()
            throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(topic, 2, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        int perPartition = 300; // 60 batches of 100 ms: the second member joins long before the first is done
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName(),
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName()))) {
            for (int i = 0; i < perPartition; i++) {
                producer.send(new ProducerRecord<>(topic, 0, null, "p0-" + i));
                producer.send(new ProducerRecord<>(topic, 1, null, "p1-" + i));
            }
        }
        List<Long> bySecond = new CopyOnWriteArrayList<>();
        start(batch -> Thread.sleep(100), Duration.ofSeconds(10));
        await(() -> deliveredOffsets().size() >= 40);
        // the group rebalances: the first member finishes and commits what it has in flight before giving up partitions
        start(batch -> {
            Thread.sleep(100);
            bySecond.addAll(batch);
        }, Duration.ofSeconds(10));

        await(() -> deliveredOffsets().size() >= 2 * perPartition);
        awaitCommitted(0, perPartition);
        awaitCommitted(1, perPartition);
        List<Long> expected = new ArrayList<>(range(perPartition));
        range(perPartition).forEach(offset -> expected.add(PARTITION + offset));
        assertThat(deliveredOffsets()).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(expected);
        assertThat(bySecond).as("the second member took over part of the stream").isNotEmpty();
    }
}
