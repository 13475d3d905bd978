package io.auditrelay.sink.s3;

import com.fasterxml.jackson.databind.JsonNode;
import io.auditrelay.event.AuditEvent;
import io.auditrelay.mapper.Json;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One batch of the S3 sink's spool ({@link S3Spool}): its file {@code <name>.spool}, one line per event in arrival
 * order ({@code ["<id>","<location>"]}, a tab, the event's line), its empty {@code <name>.sealed} marker once sealed,
 * and the temporary {@code <name>.upload.tmp} its object is encoded into. In memory only its size is kept. Appends
 * happen under the sink's lock; the channel is forced and closed under the batch's monitor. Only the first
 * {@link #size} bytes ({@link #count} lines) of the file belong to the batch.
 */
final class SpoolBatch {

    /** The sink's log category, so the spool logs as it did when it was part of the sink. */
    private static final Logger LOG = LoggerFactory.getLogger(S3Sink.class);
    static final String SPOOL = ".spool";
    static final String SEALED = ".sealed";
    static final String UPLOAD = ".upload.tmp";

    /** Receives one event read back from the spool, with its source location (null when it has none). */
    @FunctionalInterface
    interface SpooledEvent {
        void accept(AuditEvent event, String location) throws Exception;
    }

    /** Receives one spool line: {@code record[0, tab)} is {@code [id, location]}, then the event's line up to {@code length}. */
    @FunctionalInterface
    private interface SpooledRecord {
        void accept(byte[] record, int tab, int length) throws Exception;
    }

    final String name;
    final String partition;
    final Path file;
    final long opened;
    private final Path dir;
    private FileChannel channel;
    boolean sealedBefore;
    /** Appended to since the last flush; set by {@link #append}, cleared and restored by the sink under its lock. */
    boolean dirty;
    private boolean closed;
    int count;
    /** The events' bytes (their lines): what the object holds uncompressed. */
    long bytes;
    /** The file's bytes. */
    private long size;

    private SpoolBatch(Path dir, String name, String partition, long opened) {
        this.dir = dir;
        this.name = name;
        this.partition = partition;
        this.file = dir.resolve(name + SPOOL);
        this.opened = opened;
    }

    /** A new, empty batch: creates its spool file. */
    static SpoolBatch create(Path dir, String name, String partition) throws IOException {
        SpoolBatch batch = new SpoolBatch(dir, name, partition, System.nanoTime());
        batch.channel = FileChannel.open(batch.file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND);
        return batch;
    }

    /**
     * A batch left by a previous run: a torn last line is cut. Null when it holds no event. Cutting back to the last
     * {@code '\n'} is safe here (unlike in a CSV file, where a quoted field may hold a line break): a spool line is
     * JSON, a tab and the format's line, and JSON writes a line break in a value escaped ({@code \n}), so the only
     * raw {@code '\n'} of a spool line is its end (SpoolLineTest).
     */
    static SpoolBatch recover(Path dir, String name, String partition) throws IOException {
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
        SpoolBatch batch = new SpoolBatch(dir, name, partition, System.nanoTime() - TimeUnit.MILLISECONDS.toNanos(age));
        batch.channel = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        batch.channel.truncate(end);
        batch.channel.force(false);
        batch.count = Math.toIntExact(lines);
        batch.size = end;
        batch.bytes = eventBytes;
        batch.sealedBefore = Files.exists(dir.resolve(name + SEALED));
        return batch;
    }

    /** A spool line: {@code ["<id>","<location>"]}, a tab, and the event's line (a tab in JSON is escaped). */
    static byte[] record(String id, String location, byte[] line) throws IOException {
        byte[] json = Json.MAPPER.writeValueAsBytes(Arrays.asList(id, location));
        byte[] record = Arrays.copyOf(json, json.length + 1 + line.length);
        record[json.length] = '\t';
        System.arraycopy(line, 0, record, json.length + 1, line.length);
        return record;
    }

    /** Appends one spool line of which {@code eventBytes} are the event's line; on failure the file is cut back. */
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

    /** Creates the sealed marker; false when it exists already (a batch recovered sealed). */
    boolean markSealed() throws IOException {
        try {
            Files.createFile(dir.resolve(name + SEALED));
            return true;
        } catch (FileAlreadyExistsException e) {
            return false;
        }
    }

    /** The temporary file the batch's object is encoded into before it is written ({@link #encode}). */
    Path uploadFile() {
        return dir.resolve(name + UPLOAD);
    }

    /**
     * Streams the events' lines, in the spool's order, through the format's encoder into the {@link #uploadFile};
     * returns the events' ids.
     */
    List<String> encode(BatchFormat format) throws Exception {
        List<String> ids = new ArrayList<>(count);
        try (OutputStream out = format.encoder(new BufferedOutputStream(Files.newOutputStream(uploadFile()), 65536))) {
            forEachRecord((record, tab, length) -> {
                ids.add(Json.MAPPER.readTree(record, 0, tab).get(0).asText());
                out.write(record, tab + 1, length - tab - 1);
            });
        }
        return ids;
    }

    /** Deletes the {@link #uploadFile} if there is one (a failure is logged). */
    void deleteUpload() {
        Path upload = uploadFile();
        try {
            Files.deleteIfExists(upload);
        } catch (IOException e) {
            LOG.warn("Could not delete {}: {}", upload, e.getMessage());
        }
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

    /** Deletes the batch's spool file and its sealed marker. */
    void delete() throws IOException {
        Files.deleteIfExists(file);
        Files.deleteIfExists(dir.resolve(name + SEALED));
    }

    /** Reads the batch's events back (with the format), with their source locations. */
    void forEachEvent(BatchFormat format, SpooledEvent each) throws Exception {
        forEachRecord((record, tab, length) -> {
            JsonNode source = Json.MAPPER.readTree(record, 0, tab);
            AuditEvent event = format.read(Arrays.copyOfRange(record, tab + 1, length));
            each.accept(event, source.get(1).isNull() ? null : source.get(1).asText());
        });
    }

    /** Streams the batch's spool lines. */
    private void forEachRecord(SpooledRecord each) throws Exception {
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
