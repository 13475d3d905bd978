package io.auditrelay.sink.s3;

import io.auditrelay.event.AuditEvent;
import io.auditrelay.event.EventSink;
import io.auditrelay.spine.DeadLetterStore;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.spi.EventNotifier;
import org.apache.camel.support.EventNotifierSupport;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The S3 sink: batches canonical events per partition ({@code vendor/dt/hour} of the event time) in a durable local
 * spool and writes each batch as one object,
 * {@code {prefix}/vendor={vendor}/dt={yyyy-MM-dd}/hour={HH}/{sha256 of the batch's sorted ids}{ext}}.
 *
 * <h2>Acknowledgement: a unit is acknowledged once it is in the spool</h2>
 * The spine sends a source's unit (a file, a Kafka poll batch, a Pulsar message, an API page, an S3 object) through
 * the sinks and then calls {@link #flush}; the unit is acknowledged, and its ids recorded as delivered, only after
 * flush returned. {@link #acceptFrom} appends the event to the spool file of its partition's open batch, one line per
 * event: its id and source location, a tab, and its line ({@link BatchFormat#line}); {@link #flush} forces (fsyncs)
 * the spool files written since the last flush and returns; it throws when the spool cannot be made
 * durable, so the unit is not acknowledged. Flush does not wait for S3: an object holds up to {@code batch-size}
 * events of one partition, across any number of units.
 *
 * <p>A batch is sealed and written when it reaches {@code batch-size} events or {@code batch-bytes}, when it is
 * {@code batch-interval} old, and when the sink stops. Objects are written by one writer thread, streaming the spool
 * file through the format's encoder into a temporary file, with {@code max-retries} retries and exponential backoff
 * from {@code retry-delay}. After a successful write the batch's spool files are deleted; after the retry budget every
 * event of the batch goes to the dead-letter store (sink {@code s3}, with its source location and the reason), then
 * its spool files are deleted. Nothing per event is held in memory besides the ids of the batch being written.
 *
 * <h2>Spool</h2>
 * The spool is a numbered directory under {@code spool-dir} that the sink locks while it runs ({@link S3Spool}), with
 * one file per batch ({@link SpoolBatch}); the object holds the events' lines in the file's order. On start the sink
 * recovers the spool left by a previous run: sealed batches are written at once, open ones stay open and are written
 * by the usual rules.
 *
 * <p>Keys are deterministic: the name is the SHA-256 of the batch's sorted ids, and a sealed batch's spool files are
 * never appended to, so writing the same batch again (a retry, or after a crash between the write and the deletion
 * of the spool files) overwrites the same object instead of adding a duplicate. Events acknowledged by the spool but
 * redelivered by a source (a crash between flush and the source's acknowledgement) may land in a second object:
 * readers should treat the canonical {@code id} as the key (the sink is at-least-once).
 */
public class S3Sink extends ServiceSupport implements EventSink {

    private static final Logger LOG = LoggerFactory.getLogger(S3Sink.class);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
    private static final Duration STOP_WAIT = Duration.ofSeconds(30);

    /** The sink's settings (see application.properties, relay.sink.s3.*). */
    public record Options(String bucket, String prefix, int batchSize, long batchBytes, Duration batchInterval,
                          int maxRetries, Duration retryDelay, Path spoolDir) {
    }

    private final Options options;
    private final Supplier<S3Client> clients;
    private final BatchFormat format;
    private final DeadLetterStore deadLetters;
    private final Object lock = new Object();
    /** Held by flush while it forces, so a flush never returns while another one's force is still running. */
    private final Object syncLock = new Object();
    private final Map<String, SpoolBatch> open = new LinkedHashMap<>();
    private final List<SpoolBatch> sealed = new ArrayList<>();
    private boolean accepting;
    private boolean draining;
    private boolean dirDirty;
    private IOException spoolFailure;
    /** The spool directory of the current (or last) run; set once it is recovered. */
    private S3Spool spool;
    private S3Client client;
    private ScheduledExecutorService ticker;
    private ExecutorService writer;
    /** Set when the sink stops waiting for the writer: a batch being written is left in the spool. */
    private volatile boolean abandoned;
    /** Batches the writer finished (written, dead-lettered or left in the spool). */
    private final AtomicLong finished = new AtomicLong();

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

    /** The spool directory this sink uses while it runs (a numbered directory under {@code spool-dir}). */
    public Path spool() {
        synchronized (lock) {
            return spool == null ? null : spool.dir();
        }
    }

    @Override
    public void accept(AuditEvent event) throws Exception {
        acceptFrom(event, null);
    }

    /** Appends the event to its partition's open batch in the spool (sealing the batch when it is full). */
    @Override
    public void acceptFrom(AuditEvent event, String location) throws Exception {
        String partition = format.partition(event);
        byte[] line = format.line(event);
        byte[] record = SpoolBatch.record(event.id(), location, line);
        synchronized (lock) {
            if (!accepting) {
                throw new IllegalStateException("the S3 sink is not running");
            }
            SpoolBatch batch = open.get(partition);
            if (batch == null) {
                batch = spool.create(partition);
                open.put(partition, batch);
                dirDirty = true;
            }
            try {
                batch.append(record, line.length);
            } catch (IOException e) {
                // the batch keeps its whole lines; later events go to a new spool file
                seal(batch, "spool write failed");
                throw new S3SinkException("could not append to the S3 spool " + batch.file + ": " + e.getMessage(), e);
            }
            if (batch.count >= options.batchSize() || batch.bytes >= options.batchBytes()) {
                seal(batch, "size");
            }
        }
    }

    /**
     * Makes every event accepted so far durable in the spool (fsync of the spool files written since the last flush)
     * and returns; throws if it cannot, so the source's unit is not acknowledged. Does not wait for S3.
     */
    @Override
    public void flush() throws Exception {
        synchronized (syncLock) {
            List<SpoolBatch> dirty = new ArrayList<>();
            boolean syncDir;
            synchronized (lock) {
                if (writer == null) {
                    throw new IllegalStateException("the S3 sink is not running");
                }
                if (spoolFailure != null) {
                    IOException failure = spoolFailure;
                    spoolFailure = null;
                    throw new S3SinkException("the S3 spool could not be made durable: " + failure.getMessage(), failure);
                }
                Stream.concat(open.values().stream(), sealed.stream()).filter(b -> b.dirty).forEach(dirty::add);
                dirty.forEach(b -> b.dirty = false);
                syncDir = dirDirty;
                dirDirty = false;
            }
            try {
                for (SpoolBatch batch : dirty) {
                    batch.force();
                }
                if (syncDir) {
                    spool.force();
                }
            } catch (IOException e) {
                synchronized (lock) {
                    dirty.forEach(b -> b.dirty = true);
                    dirDirty |= syncDir;
                }
                throw new S3SinkException("the S3 spool " + spool.dir() + " could not be made durable: "
                        + e.getMessage(), e);
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

    /** The object key for a batch of events with these ids: the partition and the SHA-256 of the sorted ids. */
    private String key(String partition, Collection<String> ids) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            ids.stream().sorted().forEach(id -> {
                sha.update(id.getBytes(StandardCharsets.UTF_8));
                sha.update((byte) '\n');
            });
            String prefix = options.prefix() == null ? "" : options.prefix().replaceAll("^/+|/+$", "");
            return (prefix.isEmpty() ? "" : prefix + "/")
                    + format.objectName(partition, HexFormat.of().formatHex(sha.digest()));
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
        if (writer == null) {
            return;
        }
        for (SpoolBatch batch : List.copyOf(open.values())) {
            seal(batch, why);
        }
    }

    /** Under the lock: no more appends to the batch; its sealed marker is created and the writer takes it. */
    private void seal(SpoolBatch batch, String why) {
        open.remove(batch.partition, batch);
        try {
            if (batch.markSealed()) {
                dirDirty = true;
            } // else a recovered sealed batch
        } catch (IOException e) {
            LOG.warn("Could not mark the S3 spool batch {} as sealed: {}", batch.name, e.getMessage());
        }
        sealed.add(batch);
        LOG.debug("Sealed S3 batch {} with {} events ({})", batch.name, batch.count, why);
        try {
            writer.execute(() -> write(batch));
        } catch (RejectedExecutionException e) {
            LOG.warn("S3 sink stopping: batch {} ({} events) stays in the spool {} until the next start",
                    batch.name, batch.count, spool.dir());
            sealed.remove(batch);
            batch.close();
        }
    }

    private void tick() {
        synchronized (lock) {
            if (writer == null) {
                return;
            }
            long now = System.nanoTime();
            for (SpoolBatch batch : List.copyOf(open.values())) {
                if (draining || now - batch.opened >= options.batchInterval().toNanos()) {
                    seal(batch, "interval");
                }
            }
        }
    }

    /** On the writer thread: writes one sealed batch (or dead-letters it), then deletes its spool files. */
    private void write(SpoolBatch batch) {
        String key = batch.name;
        try {
            spool.force(); // the sealed marker is durable before the object exists
            key = key(batch.partition, batch.encode(format));
            Exception last = null;
            for (int attempt = 0; attempt <= options.maxRetries(); attempt++) {
                if (attempt > 0) {
                    Thread.sleep(backoff(attempt).toMillis());
                }
                checkAbandoned();
                try {
                    String k = key;
                    client.putObject(b -> b.bucket(options.bucket()).key(k).contentType(format.contentType())
                            .contentEncoding(format.contentEncoding()), RequestBody.fromFile(batch.uploadFile()));
                    LOG.info("Wrote s3://{}/{} ({} events)", options.bucket(), key, batch.count);
                    finish(batch, true);
                    return;
                } catch (RuntimeException e) {
                    checkAbandoned(); // the client may turn an interrupt into an exception
                    last = e;
                    LOG.warn("Writing s3://{}/{} failed (attempt {} of {}): {}", options.bucket(), key, attempt + 1,
                            options.maxRetries() + 1, e.getMessage());
                }
            }
            S3SinkException reason = new S3SinkException("could not write s3://" + options.bucket() + "/" + key
                    + " after " + (options.maxRetries() + 1) + " attempts: " + last.getMessage(), last);
            batch.forEachEvent(format, (event, location) -> deadLetters.recordEvent(event, name(), location, reason));
            LOG.warn("Dead-lettered the {} events of s3://{}/{}", batch.count, options.bucket(), key);
            finish(batch, true);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            LOG.warn("The S3 sink stopped before s3://{}/{} was written; its {} events stay in the spool {} until the "
                    + "next start", options.bucket(), key, batch.count, spool.dir());
            finish(batch, false);
        } catch (Exception e) {
            LOG.error("S3 batch {} ({} events) could not be written nor dead-lettered; it stays in the spool {} until "
                    + "the next start", key, batch.count, spool.dir(), e);
            finish(batch, false);
        } finally {
            batch.deleteUpload();
        }
    }

    private void checkAbandoned() throws InterruptedException {
        if (abandoned || Thread.currentThread().isInterrupted()) {
            throw new InterruptedException("the S3 sink stopped");
        }
    }

    /** The batch is written or dead-lettered ({@code delete}), or left in the spool for the next start. */
    private void finish(SpoolBatch batch, boolean delete) {
        if (!delete) {
            try {
                batch.force();
            } catch (IOException e) {
                synchronized (lock) {
                    spoolFailure = e;
                }
            }
        }
        batch.close();
        synchronized (lock) {
            sealed.remove(batch);
        }
        finished.incrementAndGet();
        if (delete) {
            try {
                batch.delete();
            } catch (IOException e) {
                LOG.warn("Could not delete the spool files of {}: {}", batch.name, e.getMessage());
            }
        }
    }

    private Duration backoff(int attempt) {
        long millis = options.retryDelay().toMillis() << Math.min(attempt - 1, 20);
        return Duration.ofMillis(Math.min(millis, MAX_BACKOFF.toMillis()));
    }

    @Override
    protected void doStart() throws Exception {
        S3Spool locked = S3Spool.lock(options.spoolDir());
        List<SpoolBatch> recovered = locked.recover();
        client = clients.get();
        synchronized (lock) {
            spool = locked;
            draining = false;
            abandoned = false;
            dirDirty = false;
            spoolFailure = null;
            writer = Executors.newSingleThreadExecutor(r -> new Thread(r, "s3-sink-writer"));
            long events = 0;
            for (SpoolBatch batch : recovered) {
                events += batch.count;
                boolean full = batch.count >= options.batchSize() || batch.bytes >= options.batchBytes();
                if (batch.sealedBefore || full || open.containsKey(batch.partition)) {
                    seal(batch, "recovered");
                } else {
                    open.put(batch.partition, batch);
                }
            }
            if (!recovered.isEmpty()) {
                LOG.info("S3 sink recovered {} events in {} batches from the spool {}", events, recovered.size(),
                        locked.dir());
            }
            accepting = true;
        }
        ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "s3-sink-flusher");
            t.setDaemon(true);
            return t;
        });
        long tick = Math.max(50, Math.min(1000, options.batchInterval().toMillis() / 4));
        ticker.scheduleWithFixedDelay(this::tick, tick, tick, TimeUnit.MILLISECONDS);
        LOG.info("S3 sink writes to s3://{}/{} (batches of {} events / {} bytes / {}; spool {})", options.bucket(),
                options.prefix(), options.batchSize(), options.batchBytes(), options.batchInterval(), locked.dir());
    }

    @Override
    protected void doStop() throws Exception {
        ExecutorService w;
        synchronized (lock) {
            accepting = false;
            draining = true;
            sealAll("shutdown");
            w = writer;
        }
        if (ticker != null) {
            ticker.shutdownNow();
        }
        if (w != null) {
            w.shutdown();
            // wait as long as the writer gets batches done, at most STOP_WAIT for any one of them
            long done = finished.get();
            while (!w.awaitTermination(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS) && finished.get() != done) {
                done = finished.get();
            }
            if (!w.isTerminated()) {
                LOG.warn("S3 sink: no batch written in the last {}; the batches left stay in the spool {} until the "
                        + "next start", STOP_WAIT, spool.dir());
                abandoned = true;
                w.shutdownNow();
                w.awaitTermination(5, TimeUnit.SECONDS);
            }
        }
        synchronized (lock) {
            closeBatches();
            writer = null;
        }
        if (client != null) {
            client.close();
        }
        if (spool != null) {
            spool.release();
        }
    }

    /** Under the lock: closes the files of the batches left (they stay in the spool) and forgets them. */
    private void closeBatches() {
        sealed.forEach(SpoolBatch::close);
        open.values().forEach(SpoolBatch::close);
        sealed.clear();
        open.clear();
    }
}
