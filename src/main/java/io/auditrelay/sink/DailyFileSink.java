package io.auditrelay.sink;

import io.auditrelay.event.AuditEvent;
import io.auditrelay.spine.IdHashSet;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A sink that appends one line per event to a file per UTC day of the event time
 * ({@code <prefix>YYYY-MM-DD<suffix>}), flushing each line before it returns.
 *
 * <p>Crash consistency: the spine records an id as delivered only after every sink accepted it, so
 * after a hard kill the only events a file can hold without the spine knowing are the last ones
 * written before the kill. On start this sink therefore repairs a torn last line and reads the ids
 * at the end of its most recently written files; it skips those ids when they come again, so a
 * restart never writes an event twice.
 */
public abstract class DailyFileSink extends ServiceSupport implements EventSink {

    private static final Logger LOG = LoggerFactory.getLogger(DailyFileSink.class);
    private static final int RECENT_FILES = 8;
    private static final int TAIL_BYTES = 256 * 1024;
    private static final int OPEN_FILES = 4;

    private final Path dir;
    private final String prefix;
    private final String suffix;
    private final IdHashSet recentIds = new IdHashSet(100_000);
    private final Map<String, OutputStream> open = new LinkedHashMap<>(16, 0.75f, true);

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

    /** The event id a complete line holds, or null if the line holds none (a header, a continuation). */
    protected abstract String idOf(String line);

    public Path dir() {
        return dir;
    }

    public Path fileFor(String day) {
        return dir.resolve(prefix + day + suffix);
    }

    @Override
    public synchronized void accept(AuditEvent event) throws IOException {
        if (recentIds.contains(event.id())) {
            LOG.debug("{} sink already holds {}", name(), event.id());
            return;
        }
        String day = event.time().substring(0, 10);
        OutputStream out = streamFor(day);
        out.write((line(event) + newline()).getBytes(StandardCharsets.UTF_8));
        out.flush();
        recentIds.add(event.id());
    }

    private OutputStream streamFor(String day) throws IOException {
        OutputStream out = open.get(day);
        if (out != null) {
            return out;
        }
        if (open.size() >= OPEN_FILES) {
            var eldest = open.entrySet().iterator().next();
            eldest.getValue().close();
            open.remove(eldest.getKey());
        }
        Path file = fileFor(day);
        boolean fresh = !Files.exists(file) || Files.size(file) == 0;
        out = Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        if (fresh && header() != null) {
            out.write((header() + newline()).getBytes(StandardCharsets.UTF_8));
            out.flush();
        }
        open.put(day, out);
        return out;
    }

    @Override
    protected synchronized void doStart() throws Exception {
        Files.createDirectories(dir);
        for (Path file : recentFiles()) {
            repairTornTail(file);
            for (String line : tailLines(file)) {
                String id = idOf(line);
                if (id != null) {
                    recentIds.add(id);
                }
            }
        }
    }

    @Override
    protected synchronized void doStop() throws Exception {
        for (OutputStream out : open.values()) {
            out.close();
        }
        open.clear();
    }

    private List<Path> recentFiles() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> {
                String n = f.getFileName().toString();
                return n.startsWith(prefix) && n.endsWith(suffix);
            }).sorted(Comparator.comparing(DailyFileSink::modified).reversed()).limit(RECENT_FILES).toList();
        }
    }

    private static FileTime modified(Path file) {
        try {
            return Files.getLastModifiedTime(file);
        } catch (IOException e) {
            return FileTime.fromMillis(0);
        }
    }

    /** Cuts a last line that a kill left without its terminator. */
    private void repairTornTail(Path file) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            long length = raf.length();
            long end = length;
            while (end > 0) {
                raf.seek(end - 1);
                if (raf.read() == '\n') {
                    break;
                }
                end--;
            }
            if (end < length) {
                LOG.warn("Repaired {}: removed a torn last line of {} bytes", file, length - end);
                raf.setLength(end);
            }
        }
    }

    private static List<String> tailLines(Path file) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
            long start = Math.max(0, raf.length() - TAIL_BYTES);
            byte[] bytes = new byte[(int) (raf.length() - start)];
            raf.seek(start);
            raf.readFully(bytes);
            String text = new String(bytes, StandardCharsets.UTF_8);
            List<String> lines = new ArrayList<>(List.of(text.split("\r?\n")));
            if (start > 0 && !lines.isEmpty()) {
                lines.remove(0);
            }
            return lines;
        }
    }
}
