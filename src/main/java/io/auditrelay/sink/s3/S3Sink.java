package io.auditrelay.sink.s3;

import io.auditrelay.event.AuditEvent;
import io.auditrelay.spine.Delivery;
import org.apache.camel.Exchange;
import io.auditrelay.sink.EventSink;
import io.auditrelay.spine.DeadLetterStore;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.spi.EventNotifier;
import org.apache.camel.support.EventNotifierSupport;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The S3 sink: batches canonical events per partition ({@code vendor/dt/hour} of the event time) and writes each
 * batch as one object, {@code {prefix}/vendor={vendor}/dt={yyyy-MM-dd}/hour={HH}/{sha256 of the batch's ids}{ext}}.
 *
 * <h2>Acknowledgement: batches end with the source's unit</h2>
 * The spine sends a source's unit (a file, a Kafka poll batch, an API page, an S3 object) through the sinks and
 * then calls {@link #flush}; the unit is acknowledged, and its ids recorded as delivered, only after flush
 * returned. So {@link #accept} only adds the event to its partition's open batch (writing the batch when it
 * reaches {@code batch-size} events or {@code batch-bytes}), and {@link #flush} writes the open batches and waits
 * until every batch written so far is in S3 (or, after the retry budget, dead-lettered). A batch is also written
 * when it is {@code batch-interval} old and when the sink stops. Camel's aggregator is not used: its completed
 * aggregates leave on another thread, with no way for the source's unit to wait for the write.
 *
 * <p>Objects are written by one writer thread, with {@code max-retries} retries and exponential backoff from
 * {@code retry-delay}; meanwhile the unit waiting in flush() is not acknowledged. After the budget every event of the
 * batch goes to the dead-letter store (sink {@code s3}, with the reason), and flush() returns.
 *
 * <p>Keys are deterministic: the events are sorted (time, id) and the name is the SHA-256 of the sorted ids, so
 * retrying the same batch overwrites the same object instead of adding a duplicate. After a crash between the
 * write and the acknowledgement the re-read events may form different batches; readers should treat the
 * canonical {@code id} as the key (the sink is at-least-once across such crashes).
 */
public class S3Sink extends ServiceSupport implements EventSink {

    private static final Logger LOG = LoggerFactory.getLogger(S3Sink.class);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
    private static final Duration STOP_WAIT = Duration.ofSeconds(30);

    /** The sink's settings (see application.properties, relay.sink.s3.*). */
    public record Options(String bucket, String prefix, int batchSize, long batchBytes, Duration batchInterval,
                          int maxRetries, Duration retryDelay) {
    }

    private final Options options;
    private final Supplier<S3Client> clients;
    private final BatchFormat format;
    private final DeadLetterStore deadLetters;
    private final Object lock = new Object();
    private final Map<String, Batch> open = new LinkedHashMap<>();
    private final List<Batch> sealed = new ArrayList<>();
    private boolean draining;
    private S3Client client;
    private ScheduledExecutorService ticker;
    private ExecutorService writer;

    public S3Sink(Options options, Supplier<S3Client> clients, BatchFormat format, DeadLetterStore deadLetters) {
        this.options = options;
        this.clients = clients;
        this.format = format;
        this.deadLetters = deadLetters;
    }

    @Override
    public String name() {
        return "s3";
    }

    public Options options() {
        return options;
    }

    @Override
    public void accept(AuditEvent event) throws Exception {
        accept(event, null);
    }

    @Override
    public void acceptAll(List<Delivery> group, Exchange chunk) throws Exception {
        for (Delivery delivery : group) {
            accept(delivery.event(), delivery.location());
        }
    }

    /** Adds the event to its partition's open batch (written when full, at the next flush, or when it is old). */
    public void accept(AuditEvent event, String location) throws Exception {
        String partition = partition(event);
        long size = format.sizeOf(event);
        synchronized (lock) {
            if (!isRunAllowed() || writer == null) {
                throw new IllegalStateException("the S3 sink is not running");
            }
            Batch batch = open.computeIfAbsent(partition, p -> new Batch(p, System.nanoTime()));
            batch.events.add(event);
            batch.locations.put(event.id(), location);
            batch.bytes += size;
            if (batch.events.size() >= options.batchSize() || batch.bytes >= options.batchBytes()) {
                seal(batch, "size");
            }
        }
    }

    /** Writes the open batches and waits until every batch so far is written or dead-lettered. */
    @Override
    public void flush() throws Exception {
        List<Batch> pending;
        synchronized (lock) {
            if (writer == null) {
                throw new IllegalStateException("the S3 sink is not running");
            }
            sealAll("flush");
            pending = List.copyOf(sealed);
        }
        for (Batch batch : pending) {
            try {
                batch.written.get();
            } catch (ExecutionException e) {
                throw e.getCause() instanceof Exception cause ? cause : e;
            }
        }
    }

    /** {@code vendor=<v>/dt=<yyyy-MM-dd>/hour=<HH>} of the event time (ISO-8601 UTC). */
    static String partition(AuditEvent event) {
        String time = event.time();
        if (time == null || time.length() < 13 || time.charAt(10) != 'T') {
            throw new IllegalArgumentException("event " + event.id() + " has no ISO-8601 time: " + time);
        }
        return "vendor=" + event.vendor() + "/dt=" + time.substring(0, 10) + "/hour=" + time.substring(11, 13);
    }

    /** The object key for a batch: the partition and the SHA-256 of the (sorted) ids of its events. */
    public String keyFor(String partition, List<AuditEvent> events) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            events.stream().map(AuditEvent::id).sorted().forEach(id -> {
                sha.update(id.getBytes(StandardCharsets.UTF_8));
                sha.update((byte) '\n');
            });
            String prefix = options.prefix() == null ? "" : options.prefix().replaceAll("^/+|/+$", "");
            return (prefix.isEmpty() ? "" : prefix + "/") + partition + "/"
                    + HexFormat.of().formatHex(sha.digest()) + format.extension();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Seals every open batch now (called when the context starts stopping). */
    public void drain() {
        synchronized (lock) {
            draining = true;
            sealAll("shutdown");
        }
    }

    /** Notifies {@link #drain} when the context starts stopping, before routes wait for in-flight exchanges. */
    public EventNotifier shutdownListener() {
        return new EventNotifierSupport() {
            @Override
            public void notify(CamelEvent event) {
                if (event instanceof CamelEvent.CamelContextStoppingEvent) {
                    drain();
                }
            }
        };
    }

    private void sealAll(String why) {
        for (Batch batch : List.copyOf(open.values())) {
            seal(batch, why);
        }
    }

    private void seal(Batch batch, String why) {
        open.remove(batch.partition);
        sealed.add(batch);
        LOG.debug("Sealed S3 batch {} with {} events ({})", batch.partition, batch.events.size(), why);
        writer.execute(() -> write(batch));
    }

    private void tick() {
        synchronized (lock) {
            long now = System.nanoTime();
            for (Batch batch : List.copyOf(open.values())) {
                if (draining || now - batch.opened >= options.batchInterval().toNanos()) {
                    seal(batch, "interval");
                }
            }
        }
    }

    private void write(Batch batch) {
        List<AuditEvent> events = new ArrayList<>(batch.events);
        events.sort(Comparator.comparing(AuditEvent::time).thenComparing(AuditEvent::id));
        String key = keyFor(batch.partition, events);
        Exception last = null;
        try {
            byte[] body = format.encode(events);
            for (int attempt = 0; attempt <= options.maxRetries(); attempt++) {
                if (attempt > 0) {
                    Thread.sleep(backoff(attempt).toMillis());
                }
                try {
                    client.putObject(b -> b.bucket(options.bucket()).key(key).contentType(format.contentType())
                            .contentEncoding(format.contentEncoding()), RequestBody.fromBytes(body));
                    LOG.info("Wrote s3://{}/{} ({} events)", options.bucket(), key, events.size());
                    done(batch, null);
                    return;
                } catch (RuntimeException e) {
                    last = e;
                    LOG.warn("Writing s3://{}/{} failed (attempt {} of {}): {}", options.bucket(), key, attempt + 1,
                            options.maxRetries() + 1, e.getMessage());
                }
            }
            S3SinkException reason = new S3SinkException("could not write s3://" + options.bucket() + "/" + key
                    + " after " + (options.maxRetries() + 1) + " attempts: " + last.getMessage(), last);
            for (AuditEvent event : events) {
                deadLetters.recordEvent(event, name(), batch.locations.get(event.id()), reason);
            }
            done(batch, null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            done(batch, new IllegalStateException("the S3 sink stopped before s3://" + options.bucket() + "/" + key
                    + " was written", last));
        } catch (Exception e) {
            done(batch, e);
        }
    }

    private void done(Batch batch, Exception failure) {
        synchronized (lock) {
            sealed.remove(batch);
        }
        if (failure == null) {
            batch.written.complete(null);
        } else {
            batch.written.completeExceptionally(failure);
        }
    }

    private Duration backoff(int attempt) {
        long millis = options.retryDelay().toMillis() << Math.min(attempt - 1, 20);
        return Duration.ofMillis(Math.min(millis, MAX_BACKOFF.toMillis()));
    }

    @Override
    protected void doStart() {
        client = clients.get();
        synchronized (lock) {
            draining = false;
            writer = Executors.newSingleThreadExecutor(r -> new Thread(r, "s3-sink-writer"));
        }
        ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "s3-sink-flusher");
            t.setDaemon(true);
            return t;
        });
        long tick = Math.max(50, Math.min(1000, options.batchInterval().toMillis() / 4));
        ticker.scheduleWithFixedDelay(this::tick, tick, tick, TimeUnit.MILLISECONDS);
        LOG.info("S3 sink writes to s3://{}/{} (batches of {} events / {} bytes / {})", options.bucket(),
                options.prefix(), options.batchSize(), options.batchBytes(), options.batchInterval());
    }

    @Override
    protected void doStop() throws Exception {
        drain();
        ticker.shutdownNow();
        ExecutorService w;
        synchronized (lock) {
            w = writer;
        }
        w.shutdown();
        if (!w.awaitTermination(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
            LOG.warn("S3 sink: batches still being written after {}; their events were not acknowledged", STOP_WAIT);
            w.shutdownNow();
            w.awaitTermination(5, TimeUnit.SECONDS);
        }
        synchronized (lock) {
            for (Batch batch : List.copyOf(sealed)) {
                batch.written.completeExceptionally(new IllegalStateException("the S3 sink stopped"));
            }
            sealed.clear();
            writer = null;
        }
        client.close();
    }

    private static final class Batch {
        final String partition;
        final long opened;
        final List<AuditEvent> events = new ArrayList<>();
        final Map<String, String> locations = new LinkedHashMap<>();
        final CompletableFuture<Void> written = new CompletableFuture<>();
        long bytes;

        Batch(String partition, long opened) {
            this.partition = partition;
            this.opened = opened;
        }
    }
}
