package io.auditrelay.sink;

import io.auditrelay.event.EventSink;
import com.fasterxml.jackson.core.type.TypeReference;
import io.auditrelay.event.AuditEvent;
import io.auditrelay.mapper.Json;
import io.auditrelay.event.Delivery;
import io.auditrelay.lock.LockFiles;
import io.auditrelay.spine.IdHashSet;
import io.auditrelay.unit.SourceUnit;
import org.apache.camel.Exchange;
import org.apache.camel.spi.UnitOfWork;
import org.apache.camel.support.SynchronizationAdapter;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * A sink that appends one line per event to a file per UTC day of the event time
 * ({@code <prefix>YYYY-MM-DD<suffix>}), writing each line through to the file before it returns.
 *
 * <p>Crash consistency. The spine records ids as delivered when the source's whole unit (file, batch,
 * page) went through, so after a hard kill a file can hold events of units that were never
 * confirmed; those units are read again. To write nothing twice, this sink keeps, per file, the
 * offset up to which every line belongs to a completed unit ({@code .committed-offsets.json} in its
 * folder, advanced when a unit completes). On start it reads each file's records from that offset, a record
 * boundary known to be whole (or from the file's start), with the format's own parser ({@link #readTail}): a record
 * a kill left incomplete is cut, and the ids of the complete records after the offset are skipped when they come
 * again. Those records stay recovered for good: their ranges are kept in {@code .recovered-ranges.json} and read
 * again at every start, because the offset moves on past them as soon as a unit of the new run completes, while the
 * units they belong to may be read again only after another restart (a Kafka partition the restarted relay gets
 * later, say). Each hard kill adds what was in flight then (usually a few units) and a start reads them all again;
 * the ranges of a file that is gone (rotated away or deleted) are dropped.
 */
public abstract class DailyFileSink extends ServiceSupport implements EventSink {

    public static final String OFFSETS_FILE = ".committed-offsets.json";
    public static final String RECOVERED_FILE = ".recovered-ranges.json";
    private static final Logger LOG = LoggerFactory.getLogger(DailyFileSink.class);
    private static final int OPEN_FILES = 4;
    private static final int MIN_RECENT_IDS = 100_000;
    /** Held by the running sink that owns the folder. */
    private static final String LOCK_FILE = ".lock";

    private final Path dir;
    private final String prefix;
    private final String suffix;
    private final Map<String, OpenFile> open = new LinkedHashMap<>(16, 0.75f, true);
    private final Map<Object, Map<String, Long>> inflight = new IdentityHashMap<>();
    private final Map<String, Long> committed = new TreeMap<>();
    /** Per file, the byte ranges {@code [start, end)} of records recovered at a start: read again at every start. */
    private final Map<String, List<long[]>> recovered = new TreeMap<>();
    private IdHashSet recentIds = new IdHashSet(MIN_RECENT_IDS);
    private FileChannel lock;

    private static final class OpenFile {
        final OutputStream out;
        long size;

        OpenFile(OutputStream out, long size) {
            this.out = out;
            this.size = size;
        }
    }

    protected DailyFileSink(Path dir, String prefix, String suffix) {
        this.dir = dir;
        this.prefix = prefix;
        this.suffix = suffix;
    }

    /** The line for one event, without the line terminator. */
    protected abstract String line(AuditEvent event) throws IOException;

    /** The header line written at the top of a new file, or null. */
    protected abstract String header();

    /** The line terminator. */
    protected abstract String newline();

    /**
     * What a restart finds in a file between {@code from}, a record boundary known to be whole, and {@code to}: where
     * the last complete record ends, and the event ids of the complete records from {@code from} up to there (a header
     * holds none).
     */
    protected abstract Tail readTail(Path file, long from, long to) throws IOException;

    /** The end of the last complete record (the file is cut there) and the ids of the records before it. */
    protected record Tail(long end, List<String> ids) {
    }

    public Path dir() {
        return dir;
    }

    @Override
    public void accept(AuditEvent event) throws IOException {
        write(List.of(event), null);
    }

    /** The whole chunk at once: one write per day file. */
    @Override
    public int groupSize() {
        return Integer.MAX_VALUE;
    }

    @Override
    public void acceptAll(List<Delivery> group, Exchange chunk) throws IOException {
        List<AuditEvent> events = new ArrayList<>(group.size());
        for (Delivery delivery : group) {
            events.add(delivery.event());
        }
        write(events, chunk);
    }

    /**
     * Appends the events this sink does not hold yet, one write per day file; the exchange ties them to their
     * source's unit. A file's ids are remembered once its write returned, so a retried chunk skips them.
     */
    private synchronized void write(List<AuditEvent> events, Exchange exchange) throws IOException {
        Map<String, StringBuilder> text = new LinkedHashMap<>();
        Map<String, List<long[]>> ids = new HashMap<>();
        for (AuditEvent event : events) {
            long[] id = IdHashSet.hash(event.id());
            if (recentIds.contains(id[0], id[1])) {
                LOG.debug("{} sink already holds {}", name(), event.id());
                continue;
            }
            String name = prefix + event.time().substring(0, 10) + suffix;
            text.computeIfAbsent(name, n -> new StringBuilder()).append(line(event)).append(newline());
            ids.computeIfAbsent(name, n -> new ArrayList<>()).add(id);
        }
        for (Map.Entry<String, StringBuilder> lines : text.entrySet()) {
            String name = lines.getKey();
            OpenFile file = openFile(name);
            track(exchange, name, file.size);
            byte[] bytes = lines.getValue().toString().getBytes(StandardCharsets.UTF_8);
            file.out.write(bytes);
            file.out.flush();
            file.size += bytes.length;
            ids.get(name).forEach(id -> recentIds.add(id[0], id[1]));
        }
    }

    /**
     * Remembers where the unit of this exchange first wrote in the file, and commits when the unit completes: the
     * source's unit when the exchange carries one ({@link SourceUnit}: in a Kamelet Pipe the sink runs on a copy of the
     * exchange that completes before the source acknowledges), else the exchange's unit of work.
     */
    private void track(Exchange exchange, String name, long offset) {
        Object unit = exchange == null ? null : exchange.getProperty(SourceUnit.PROPERTY);
        UnitOfWork work = exchange == null ? null : exchange.getUnitOfWork();
        if (unit == null) {
            unit = work;
        }
        if (unit == null) {
            return;
        }
        Map<String, Long> firsts = inflight.get(unit);
        if (firsts == null) {
            firsts = new HashMap<>();
            inflight.put(unit, firsts);
            Object key = unit;
            SynchronizationAdapter completion = new SynchronizationAdapter() {
                @Override
                public void onComplete(Exchange completed) {
                    unitCompleted(key);
                }
                // on failure the unit stays pinned: its lines are recovered on restart, when it is read again
            };
            if (unit instanceof SourceUnit) {
                SourceUnit.onCompletion(exchange, completion);
            } else {
                work.addSynchronization(completion);
            }
        }
        firsts.putIfAbsent(name, offset);
    }

    private synchronized void unitCompleted(Object unit) {
        Map<String, Long> firsts = inflight.remove(unit);
        if (firsts == null) {
            return;
        }
        for (String name : firsts.keySet()) {
            long safe = inflight.values().stream().map(m -> m.get(name)).filter(o -> o != null)
                    .mapToLong(Long::longValue).min().orElse(sizeOf(name));
            committed.put(name, safe);
        }
        saveOffsets();
    }

    private long sizeOf(String name) {
        OpenFile file = open.get(name);
        if (file != null) {
            return file.size;
        }
        try {
            return Files.size(dir.resolve(name));
        } catch (IOException e) {
            return 0;
        }
    }

    private void saveOffsets() {
        try {
            Path tmp = dir.resolve(OFFSETS_FILE + ".tmp");
            Files.writeString(tmp, Json.MAPPER.writeValueAsString(committed));
            Files.move(tmp, dir.resolve(OFFSETS_FILE), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save " + dir.resolve(OFFSETS_FILE), e);
        }
    }

    private OpenFile openFile(String name) throws IOException {
        OpenFile file = open.get(name);
        if (file != null) {
            return file;
        }
        if (open.size() >= OPEN_FILES) {
            var eldest = open.entrySet().iterator().next();
            eldest.getValue().out.close();
            open.remove(eldest.getKey());
        }
        Path path = dir.resolve(name);
        long size = Files.exists(path) ? Files.size(path) : 0;
        OutputStream out = Files.newOutputStream(path, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        if (size == 0 && header() != null) {
            byte[] head = (header() + newline()).getBytes(StandardCharsets.UTF_8);
            out.write(head);
            out.flush();
            size = head.length;
        }
        file = new OpenFile(out, size);
        open.put(name, file);
        return file;
    }

    @Override
    protected synchronized void doStart() throws Exception {
        Files.createDirectories(dir);
        lock = lockFolder();
        Path offsets = dir.resolve(OFFSETS_FILE);
        if (Files.exists(offsets)) {
            committed.putAll(Json.MAPPER.readValue(offsets.toFile(), new TypeReference<Map<String, Long>>() { }));
        }
        Path ranges = dir.resolve(RECOVERED_FILE);
        if (Files.exists(ranges)) {
            recovered.putAll(Json.MAPPER.readValue(ranges.toFile(), new TypeReference<Map<String, List<long[]>>>() { }));
        }
        List<String> uncommitted = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> sinkFiles = files.filter(this::isSinkFile).sorted().toList();
            recovered.keySet().retainAll(sinkFiles.stream().map(f -> f.getFileName().toString()).toList());
            for (Path file : sinkFiles) {
                String name = file.getFileName().toString();
                long size = Files.size(file);
                long from = Math.min(committed.getOrDefault(name, 0L), size);
                for (long[] range : recovered.getOrDefault(name, List.of())) {
                    if (range[0] < from) {
                        uncommitted.addAll(readTail(file, range[0], Math.min(range[1], from)).ids());
                    }
                }
                Tail tail = readTail(file, from, size);
                if (tail.end() < size) {
                    cut(file, tail.end(), size);
                }
                uncommitted.addAll(tail.ids());
                if (tail.end() > from) {
                    recover(name, from, tail.end());
                }
                committed.put(name, tail.end());
            }
        }
        // the ranges first: a kill between the two saves reads a range twice, never misses one
        saveRecovered();
        saveOffsets();
        recentIds = new IdHashSet(Math.max(MIN_RECENT_IDS, uncommitted.size() * 2));
        uncommitted.forEach(recentIds::add);
        if (!uncommitted.isEmpty()) {
            LOG.info("{} sink holds {} events of units that were not acknowledged; they will not be written again",
                    name(), uncommitted.size());
        }
    }

    /** Adds {@code [start, end)} to the file's recovered ranges, merged with a range it touches. */
    private void recover(String name, long start, long end) {
        List<long[]> ranges = recovered.computeIfAbsent(name, n -> new ArrayList<>());
        for (long[] range : ranges) {
            if (range[1] == start) {
                range[1] = end;
                return;
            }
        }
        ranges.add(new long[] {start, end});
    }

    private void saveRecovered() {
        try {
            Path tmp = dir.resolve(RECOVERED_FILE + ".tmp");
            Files.writeString(tmp, Json.MAPPER.writeValueAsString(recovered));
            Files.move(tmp, dir.resolve(RECOVERED_FILE), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save " + dir.resolve(RECOVERED_FILE), e);
        }
    }

    @Override
    protected synchronized void doStop() throws Exception {
        for (OpenFile file : open.values()) {
            file.out.close();
        }
        open.clear();
        if (lock != null) {
            lock.close();
            lock = null;
        }
    }

    /**
     * Takes the folder for this sink alone: a second writer would append to the same daily files and, at its start,
     * cut what it took for a torn last record, which may be a line the first one is writing.
     */
    private FileChannel lockFolder() throws IOException {
        FileChannel channel = LockFiles.tryLock(dir.resolve(LOCK_FILE));
        if (channel == null) {
            throw new IllegalStateException("The " + name() + " sink's folder " + dir + " is in use by another running "
                    + name() + " sink (another relay or command writing there): give this one a folder of its own"
                    + " (relay.sink." + name() + ".dir)");
        }
        return channel;
    }

    private boolean isSinkFile(Path file) {
        String name = file.getFileName().toString();
        return name.startsWith(prefix) && name.endsWith(suffix);
    }

    /** Cuts what follows the last complete record: a record a kill left incomplete. */
    private static void cut(Path file, long end, long size) throws IOException {
        LOG.warn("Repaired {}: removed a torn last record of {} bytes", file, size - end);
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(end);
        }
    }

    /** The bytes of {@code file} from {@code from} up to {@code to}, read ahead in blocks. */
    protected static InputStream region(Path file, long from, long to) throws IOException {
        FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
        channel.position(from);
        InputStream whole = Channels.newInputStream(channel);
        InputStream bounded = new FilterInputStream(whole) {
            private long left = to - from;

            @Override
            public int read() throws IOException {
                if (left <= 0) {
                    return -1;
                }
                int b = super.read();
                if (b >= 0) {
                    left--;
                }
                return b;
            }

            @Override
            public int read(byte[] buffer, int offset, int length) throws IOException {
                if (left <= 0) {
                    return -1;
                }
                int n = super.read(buffer, offset, (int) Math.min(length, left));
                if (n > 0) {
                    left -= n;
                }
                return n;
            }
        };
        return new BufferedInputStream(bounded, 65536);
    }
}
