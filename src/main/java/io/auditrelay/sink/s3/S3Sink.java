package io.auditrelay.sink.s3;

import com.fasterxml.jackson.databind.JsonNode;
import io.auditrelay.event.AuditEvent;
import io.auditrelay.mapper.Json;
import io.auditrelay.sink.EventSink;
import io.auditrelay.spine.DeadLetterStore;
import io.auditrelay.spine.Delivery;
import org.apache.camel.Exchange;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.spi.EventNotifier;
import org.apache.camel.support.EventNotifierSupport;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
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

/**
 * The S3 sink: batches canonical events per partition ({@code vendor/dt/hour} of the event time) in a durable local
 * spool and writes each batch as one object,
 * {@code {prefix}/vendor={vendor}/dt={yyyy-MM-dd}/hour={HH}/{sha256 of the batch's sorted ids}{ext}}.
 *
 * <h2>Acknowledgement: a unit is acknowledged once it is in the spool</h2>
 * The spine sends a source's unit (a file, a Kafka poll batch, a Pulsar message, an API page, an S3 object) through
 * the sinks and then calls {@link #flush}; the unit is acknowledged, and its ids recorded as delivered, only after
 * flush returned. {@link #accept} appends the event to the spool file of its partition's open batch, one line per
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
 * The sink takes the first free numbered directory ({@code 0}, {@code 1}, ...) under {@code spool-dir}, locked while
 * it runs, so relays sharing a state volume keep separate spools. A batch is {@code <partition>-<seq>.spool} (one
 * line per event, in arrival order: {@code ["<id>","<location>"]}, a tab, the event's line) and, once sealed, an
 * empty {@code <partition>-<seq>.sealed}. The object holds the events' lines in that order. On start the sink
 * recovers the spool left by a previous run (its own directory and any other unlocked one): a torn last line is cut,
 * sealed batches are written at once, open ones stay open and are written by the usual rules.
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
    static final String SPOOL = ".spool";
    static final String SEALED = ".sealed";
    private static final String UPLOAD = ".upload.tmp";
    private static final String LOCK = "spool.lock";
    private static final int MAX_SPOOLS = 64;

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
    private final Map<String, Batch> open = new LinkedHashMap<>();
    private final List<Batch> sealed = new ArrayList<>();
    private boolean accepting;
    private boolean draining;
    private boolean dirDirty;
    private IOException spoolFailure;
    private long seq;
    private Path dir;
    private FileChannel lockChannel;
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
            return dir;
        }
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

    /** Appends the event to its partition's open batch in the spool (sealing the batch when it is full). */
    public void accept(AuditEvent event, String location) throws Exception {
        String partition = partition(event);
        byte[] line = format.line(event);
        byte[] record = record(event.id(), location, line);
        synchronized (lock) {
            if (!accepting) {
                throw new IllegalStateException("the S3 sink is not running");
            }
            Batch batch = open.get(partition);
            if (batch == null) {
                batch = Batch.create(dir, fileName(partition) + "-" + (++seq), partition);
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
            List<Batch> dirty = new ArrayList<>();
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
                for (Batch batch : open.values()) {
                    if (batch.dirty) {
                        dirty.add(batch);
                    }
                }
                for (Batch batch : sealed) {
                    if (batch.dirty) {
                        dirty.add(batch);
                    }
                }
                dirty.forEach(b -> b.dirty = false);
                syncDir = dirDirty;
                dirDirty = false;
            }
            try {
                for (Batch batch : dirty) {
                    batch.force();
                }
                if (syncDir) {
                    forceDir(dir);
                }
            } catch (IOException e) {
                synchronized (lock) {
                    dirty.forEach(b -> b.dirty = true);
                    dirDirty |= syncDir;
                }
                throw new S3SinkException("the S3 spool " + dir + " could not be made durable: " + e.getMessage(), e);
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
        return keyForIds(partition, events.stream().map(AuditEvent::id).toList());
    }

    /** The object key for a batch of events with these ids: the partition and the SHA-256 of the sorted ids. */
    public String keyForIds(String partition, Collection<String> ids) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            ids.stream().sorted().forEach(id -> {
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
        if (writer == null) {
            return;
        }
        for (Batch batch : List.copyOf(open.values())) {
            seal(batch, why);
        }
    }

    /** Under the lock: no more appends to the batch; its sealed marker is created and the writer takes it. */
    private void seal(Batch batch, String why) {
        open.remove(batch.partition, batch);
        try {
            Files.createFile(dir.resolve(batch.name + SEALED));
            dirDirty = true;
        } catch (FileAlreadyExistsException e) {
            // recovered sealed batch
        } catch (IOException e) {
            LOG.warn("Could not mark the S3 spool batch {} as sealed: {}", batch.name, e.getMessage());
        }
        sealed.add(batch);
        LOG.debug("Sealed S3 batch {} with {} events ({})", batch.name, batch.count, why);
        try {
            writer.execute(() -> write(batch));
        } catch (RejectedExecutionException e) {
            LOG.warn("S3 sink stopping: batch {} ({} events) stays in the spool {} until the next start",
                    batch.name, batch.count, dir);
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
            for (Batch batch : List.copyOf(open.values())) {
                if (draining || now - batch.opened >= options.batchInterval().toNanos()) {
                    seal(batch, "interval");
                }
            }
        }
    }

    /** On the writer thread: writes one sealed batch (or dead-letters it), then deletes its spool files. */
    private void write(Batch batch) {
        Path upload = dir.resolve(batch.name + UPLOAD);
        String key = batch.name;
        try {
            forceDir(dir); // the sealed marker is durable before the object exists
            List<String> ids = new ArrayList<>(batch.count);
            try (OutputStream out = format.encoder(new BufferedOutputStream(Files.newOutputStream(upload), 65536))) {
                batch.forEachRecord((record, tab, length) -> {
                    ids.add(Json.MAPPER.readTree(record, 0, tab).get(0).asText());
                    out.write(record, tab + 1, length - tab - 1);
                });
            }
            key = keyForIds(batch.partition, ids);
            Exception last = null;
            for (int attempt = 0; attempt <= options.maxRetries(); attempt++) {
                if (attempt > 0) {
                    Thread.sleep(backoff(attempt).toMillis());
                }
                checkAbandoned();
                try {
                    String k = key;
                    client.putObject(b -> b.bucket(options.bucket()).key(k).contentType(format.contentType())
                            .contentEncoding(format.contentEncoding()), RequestBody.fromFile(upload));
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
            batch.forEachRecord((record, tab, length) -> {
                JsonNode source = Json.MAPPER.readTree(record, 0, tab);
                AuditEvent event = format.read(Arrays.copyOfRange(record, tab + 1, length));
                deadLetters.recordEvent(event, name(), source.get(1).isNull() ? null : source.get(1).asText(), reason);
            });
            LOG.warn("Dead-lettered the {} events of s3://{}/{}", batch.count, options.bucket(), key);
            finish(batch, true);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            LOG.warn("The S3 sink stopped before s3://{}/{} was written; its {} events stay in the spool {} until the "
                    + "next start", options.bucket(), key, batch.count, dir);
            finish(batch, false);
        } catch (Exception e) {
            LOG.error("S3 batch {} ({} events) could not be written nor dead-lettered; it stays in the spool {} until "
                    + "the next start", key, batch.count, dir, e);
            finish(batch, false);
        } finally {
            try {
                Files.deleteIfExists(upload);
            } catch (IOException e) {
                LOG.warn("Could not delete {}: {}", upload, e.getMessage());
            }
        }
    }

    private void checkAbandoned() throws InterruptedException {
        if (abandoned || Thread.currentThread().isInterrupted()) {
            throw new InterruptedException("the S3 sink stopped");
        }
    }

    /** The batch is written or dead-lettered ({@code delete}), or left in the spool for the next start. */
    private void finish(Batch batch, boolean delete) {
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
                Files.deleteIfExists(batch.file);
                Files.deleteIfExists(dir.resolve(batch.name + SEALED));
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
        Path spoolDir = lockSpool();
        List<Batch> recovered;
        try {
            recovered = recover(spoolDir);
        } catch (IOException | RuntimeException e) {
            releaseSpool();
            throw e;
        }
        client = clients.get();
        synchronized (lock) {
            dir = spoolDir;
            draining = false;
            abandoned = false;
            dirDirty = false;
            spoolFailure = null;
            writer = Executors.newSingleThreadExecutor(r -> new Thread(r, "s3-sink-writer"));
            long events = 0;
            for (Batch batch : recovered) {
                events += batch.count;
                boolean full = batch.count >= options.batchSize() || batch.bytes >= options.batchBytes();
                if (batch.sealedBefore || full || open.containsKey(batch.partition)) {
                    seal(batch, "recovered");
                } else {
                    open.put(batch.partition, batch);
                }
            }
            if (!recovered.isEmpty()) {
                LOG.info("S3 sink recovered {} events in {} batches from the spool {}", events, recovered.size(), dir);
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
                options.prefix(), options.batchSize(), options.batchBytes(), options.batchInterval(), spoolDir);
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
                        + "next start", STOP_WAIT, dir);
                abandoned = true;
                w.shutdownNow();
                w.awaitTermination(5, TimeUnit.SECONDS);
            }
        }
        synchronized (lock) {
            for (Batch batch : List.copyOf(sealed)) {
                batch.close();
            }
            sealed.clear();
            open.values().forEach(Batch::close);
            open.clear();
            writer = null;
        }
        if (client != null) {
            client.close();
        }
        releaseSpool();
    }

    /**
     * Simulates a crash: stops the sink's threads and closes its files without writing or sealing anything, so the
     * spool stays as it is for the next start. For tests.
     */
    void crash() throws InterruptedException {
        ExecutorService w;
        synchronized (lock) {
            accepting = false;
            w = writer;
            writer = null;
        }
        abandoned = true;
        ticker.shutdownNow();
        w.shutdownNow();
        w.awaitTermination(5, TimeUnit.SECONDS);
        synchronized (lock) {
            sealed.forEach(Batch::close);
            open.values().forEach(Batch::close);
            sealed.clear();
            open.clear();
        }
        client.close();
        releaseSpool();
    }

    // --- the spool directory

    /** Takes the first numbered directory under spool-dir that no running sink holds. */
    private Path lockSpool() throws IOException {
        Path root = options.spoolDir();
        Files.createDirectories(root);
        for (int i = 0; i < MAX_SPOOLS; i++) {
            Path candidate = root.resolve(String.valueOf(i));
            FileChannel channel = tryLock(candidate);
            if (channel != null) {
                lockChannel = channel;
                return candidate;
            }
        }
        throw new IOException("every S3 spool directory under " + root + " is in use (" + MAX_SPOOLS + ")");
    }

    private static FileChannel tryLock(Path candidate) throws IOException {
        Files.createDirectories(candidate);
        FileChannel channel = FileChannel.open(candidate.resolve(LOCK), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE);
        try {
            if (channel.tryLock() != null) {
                return channel;
            }
        } catch (OverlappingFileLockException e) {
            // held by a sink of this JVM
        }
        channel.close();
        return null;
    }

    private void releaseSpool() {
        if (lockChannel != null) {
            try {
                lockChannel.close();
            } catch (IOException e) {
                LOG.warn("Could not release the S3 spool lock: {}", e.getMessage());
            }
            lockChannel = null;
        }
    }

    /**
     * Recovers the batches left in the spool by a previous run, and moves into it those of other spool directories
     * no running sink holds (a relay that stopped for good).
     */
    private List<Batch> recover(Path own) throws IOException {
        seq = 0;
        for (String name : batchNames(own)) {
            seq = Math.max(seq, seqOf(name));
        }
        try (DirectoryStream<Path> others = Files.newDirectoryStream(own.getParent(),
                p -> Files.isDirectory(p) && !p.equals(own) && p.getFileName().toString().matches("\\d+"))) {
            for (Path other : others) {
                FileChannel otherLock = tryLock(other);
                if (otherLock == null) {
                    continue;
                }
                try {
                    for (String name : batchNames(other)) {
                        String moved = name.substring(0, name.lastIndexOf('-') + 1) + (++seq);
                        for (String ext : List.of(SPOOL, SEALED)) {
                            if (Files.exists(other.resolve(name + ext))) {
                                Files.move(other.resolve(name + ext), own.resolve(moved + ext));
                            }
                        }
                        LOG.info("S3 sink took over the spool batch {} of {}", name, other);
                    }
                } finally {
                    otherLock.close();
                }
            }
        }
        List<Batch> batches = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(own)) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                if (name.endsWith(UPLOAD)) {
                    Files.deleteIfExists(file);
                } else if (name.endsWith(SEALED)
                        && !Files.exists(own.resolve(name.substring(0, name.lastIndexOf('.')) + SPOOL))) {
                    Files.deleteIfExists(file);
                }
            }
        }
        for (String name : batchNames(own)) {
            Batch batch = Batch.recover(own, name, partitionOf(name.substring(0, name.lastIndexOf('-'))));
            if (batch != null) {
                batches.add(batch);
            }
        }
        batches.sort(Comparator.comparingLong(b -> seqOf(b.name)));
        if (!batches.isEmpty()) {
            forceDir(own);
        }
        return batches;
    }

    /** The names ({@code <partition>-<seq>}) of the batches in a spool directory. */
    private static List<String> batchNames(Path spool) throws IOException {
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(spool, "*" + SPOOL)) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                name = name.substring(0, name.length() - SPOOL.length());
                if (name.matches(".+-\\d+")) {
                    names.add(name);
                } else {
                    LOG.warn("Ignoring {}: not an S3 spool file", file);
                }
            }
        }
        return names;
    }

    private static long seqOf(String name) {
        return Long.parseLong(name.substring(name.lastIndexOf('-') + 1));
    }

    /** The partition as a file name: letters, digits, {@code . _ = -} kept, other bytes as {@code %XX}. */
    static String fileName(String partition) {
        StringBuilder out = new StringBuilder();
        for (byte b : partition.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || ".-_=".indexOf(c) >= 0) {
                out.append(c);
            } else {
                out.append('%').append(HexFormat.of().withUpperCase().toHexDigits(b));
            }
        }
        return out.toString();
    }

    static String partitionOf(String fileName) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < fileName.length(); i++) {
            char c = fileName.charAt(i);
            if (c == '%' && i + 2 < fileName.length()) {
                out.write(HexFormat.fromHexDigits(fileName, i + 1, i + 3));
                i += 2;
            } else {
                out.write(c);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** A spool line: {@code ["<id>","<location>"]}, a tab, and the event's line (a tab in JSON is escaped). */
    private static byte[] record(String id, String location, byte[] line) throws IOException {
        byte[] json = Json.MAPPER.writeValueAsBytes(Arrays.asList(id, location));
        byte[] record = Arrays.copyOf(json, json.length + 1 + line.length);
        record[json.length] = '\t';
        System.arraycopy(line, 0, record, json.length + 1, line.length);
        return record;
    }

    private static void forceDir(Path dir) throws IOException {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    /** Receives one spool line: {@code record[0, tab)} is {@code [id, location]}, then the event's line up to {@code length}. */
    @FunctionalInterface
    private interface SpooledRecord {
        void accept(byte[] record, int tab, int length) throws Exception;
    }

    /**
     * One batch in the spool: its file, and in memory only its size. Appends happen under the sink's lock; the
     * channel is forced and closed under the batch's monitor. Only the first {@link #size} bytes ({@link #count}
     * lines) of the file belong to the batch.
     */
    private static final class Batch {
        final String name;
        final String partition;
        final Path file;
        final long opened;
        FileChannel channel;
        boolean sealedBefore;
        boolean dirty;
        boolean closed;
        int count;
        /** The events' bytes (their lines): what the object holds uncompressed. */
        long bytes;
        /** The file's bytes. */
        long size;

        private Batch(Path dir, String name, String partition, long opened) {
            this.name = name;
            this.partition = partition;
            this.file = dir.resolve(name + SPOOL);
            this.opened = opened;
        }

        static Batch create(Path dir, String name, String partition) throws IOException {
            Batch batch = new Batch(dir, name, partition, System.nanoTime());
            batch.channel = FileChannel.open(batch.file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                    StandardOpenOption.APPEND);
            return batch;
        }

        /** A batch left by a previous run: a torn last line is cut. Null when it holds no event. */
        static Batch recover(Path dir, String name, String partition) throws IOException {
            Path file = dir.resolve(name + SPOOL);
            long fileSize = Files.size(file);
            long lines = 0;
            long end = 0;
            long eventBytes = 0;
            long tab = -1;
            long offset = 0;
            byte[] buffer = new byte[65536];
            try (InputStream in = Files.newInputStream(file)) {
                scan:
                for (int n; (n = in.read(buffer)) > 0; offset += n) {
                    for (int i = 0; i < n; i++) {
                        if (buffer[i] == '\t' && tab < 0) {
                            tab = offset + i;
                        } else if (buffer[i] == '\n') {
                            if (tab < 0) {
                                break scan; // not a spool line: cut from here
                            }
                            lines++;
                            end = offset + i + 1;
                            eventBytes += end - tab - 1;
                            tab = -1;
                        }
                    }
                }
            }
            if (end < fileSize) {
                LOG.warn("S3 spool batch {}: cut {} bytes of a torn last line ({} events kept)", name, fileSize - end,
                        lines);
            }
            if (lines == 0) {
                Files.deleteIfExists(file);
                Files.deleteIfExists(dir.resolve(name + SEALED));
                return null;
            }
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
            long age = Math.max(0, System.currentTimeMillis() - attributes.creationTime().toMillis());
            Batch batch = new Batch(dir, name, partition, System.nanoTime() - TimeUnit.MILLISECONDS.toNanos(age));
            batch.channel = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
            batch.channel.truncate(end);
            batch.channel.force(false);
            batch.count = Math.toIntExact(lines);
            batch.size = end;
            batch.bytes = eventBytes;
            batch.sealedBefore = Files.exists(dir.resolve(name + SEALED));
            return batch;
        }

        /** Appends one spool line of which {@code eventBytes} are the event's line. */
        void append(byte[] record, int eventBytes) throws IOException {
            ByteBuffer buffer = ByteBuffer.wrap(record);
            try {
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
            } catch (IOException e) {
                try {
                    channel.truncate(size);
                } catch (IOException cut) {
                    e.addSuppressed(cut);
                }
                throw e;
            }
            count++;
            size += record.length;
            bytes += eventBytes;
            dirty = true;
        }

        /** Forces the batch's file, unless the batch is already written (and its file closed). */
        synchronized void force() throws IOException {
            if (!closed) {
                channel.force(false);
            }
        }

        synchronized void close() {
            closed = true;
            if (channel != null) {
                try {
                    channel.close();
                } catch (IOException e) {
                    LOG.warn("Could not close the spool file of {}: {}", name, e.getMessage());
                }
            }
        }

        /** Streams the batch's spool lines. */
        void forEachRecord(SpooledRecord each) throws Exception {
            byte[] record = new byte[8192];
            try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 65536)) {
                long left = size;
                for (int i = 0; i < count; i++) {
                    int length = 0;
                    int tab = -1;
                    for (int b = 0; b != '\n'; ) {
                        b = left-- > 0 ? in.read() : -1;
                        if (b < 0) {
                            throw new IOException(file + " ends before its " + count + " lines");
                        }
                        if (length == record.length) {
                            record = Arrays.copyOf(record, record.length * 2);
                        }
                        if (b == '\t' && tab < 0) {
                            tab = length;
                        }
                        record[length++] = (byte) b;
                    }
                    if (tab < 0) {
                        throw new IOException(file + ": line " + (i + 1) + " is not a spool line");
                    }
                    each.accept(record, tab, length);
                }
            }
        }
    }
}
