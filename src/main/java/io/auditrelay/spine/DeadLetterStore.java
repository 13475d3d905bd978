package io.auditrelay.spine;

import io.auditrelay.event.Delivery;
import io.auditrelay.event.Headers;
import io.auditrelay.event.SourceRecord;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.auditrelay.event.AuditEvent;
import io.auditrelay.redact.Redaction;
import io.auditrelay.mapper.Json;
import io.auditrelay.event.SinkDeliveryException;
import io.auditrelay.lock.FileMutex;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * The dead-letter store: one JSON line per rejected record in {@code <relay.dlq.dir>/dead-letters.jsonl},
 * holding the record as read, where it came from, which sink (if any) refused it, the reason and the time.
 * Each line is written and flushed before the source is acknowledged, so a dead letter is never lost.
 *
 * <p>Writes, reads and the replay's {@link #compact} hold {@code dead-letters.lock} ({@link FileMutex}), so relays
 * and commands sharing the directory (a replay beside a running relay) never lose a line to another's compaction or
 * read half of one.
 */
public class DeadLetterStore {

    public static final String FILE_NAME = "dead-letters.jsonl";
    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterStore.class);

    private final Path file;
    private final FileMutex mutex;
    private final Clock clock;
    private final RelayStats stats;
    /** Applied to every record and event before it is written; the defaults unless more is asked. */
    private volatile Redaction redaction = Redaction.DEFAULTS;

    public DeadLetterStore(Path dir, Clock clock, RelayStats stats) {
        this.file = dir.resolve(FILE_NAME);
        this.mutex = new FileMutex(dir.resolve("dead-letters.lock"));
        this.clock = clock;
        this.stats = stats;
    }

    /** Redacts, from now on, what these rules redact too (rules only add: a store shared by endpoints takes all). */
    public synchronized DeadLetterStore redactAlso(Redaction more) {
        redaction = redaction.and(more);
        return this;
    }

    /** The rules applied before writing. */
    public Redaction redaction() {
        return redaction;
    }

    public Path file() {
        return file;
    }

    /**
     * Records what the exchange carried with the exception that stopped it; called by the routes' error handlers.
     * A chunk ({@code List} body) is recorded entry by entry, from the first one its sink had not accepted yet
     * (exchange property {@link SinkDelivery#ACCEPTED}).
     */
    public void record(Exchange exchange) {
        String sink = exchange.getMessage().getHeader(Headers.SINK, String.class);
        if (sink == null) {
            recordRejected(exchange);
        }
        Throwable cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        Object body = exchange.getMessage().getBody();
        if (body instanceof List<?> chunk) {
            int from = sink == null ? 0 : exchange.getProperty(SinkDelivery.ACCEPTED, 0, Integer.class);
            for (Object item : chunk.subList(Math.min(from, chunk.size()), chunk.size())) {
                if (item instanceof Delivery delivery) {
                    recordDelivery(delivery, sink, cause);
                } else if (item instanceof SourceRecord source) {
                    write(source.vendor(), source.location(), sink, cause, source.text(), null);
                } else {
                    write(exchange.getMessage().getHeader(Headers.VENDOR, String.class),
                            exchange.getMessage().getHeader(Headers.LOCATION, String.class), sink, cause,
                            String.valueOf(item), null);
                }
            }
            return;
        }
        SourceRecord source = body instanceof SourceRecord record ? record : null;
        String vendor = source != null ? source.vendor() : exchange.getMessage().getHeader(Headers.VENDOR, String.class);
        String location = source != null ? source.location() : exchange.getMessage().getHeader(Headers.LOCATION, String.class);
        String raw = source != null ? source.text()
                : body instanceof AuditEvent ? null : exchange.getMessage().getBody(String.class);
        write(vendor, location, sink, cause, raw, body instanceof AuditEvent event ? event : null);
    }

    /** Records an event that {@code sink} refused (or, with a null sink, a record that could not be delivered at all). */
    public void recordDelivery(Delivery delivery, String sink, Throwable reason) {
        SourceRecord source = delivery.source();
        write(delivery.vendor(), delivery.location(), sink, reason, source == null ? null : source.text(), delivery.event());
    }

    /** Records the records of the chunk that the normalizer could not map ({@link Normalizer#REJECTED}). */
    @SuppressWarnings("unchecked")
    public void recordRejected(Exchange chunk) {
        List<Normalizer.Rejected> rejected = chunk.getProperty(Normalizer.REJECTED, List.class);
        if (rejected != null) {
            for (Normalizer.Rejected r : rejected) {
                recordInvalid(r.source(), r.reason());
            }
            chunk.removeProperty(Normalizer.REJECTED);
        }
    }

    /** Records a record that could not be read or mapped, with the reason. */
    public void recordInvalid(SourceRecord source, Throwable reason) {
        write(source.vendor(), source.location(), null, reason, source.text(), null);
    }

    /** Records a canonical event that a batching sink could not write, outside of any route. */
    public void recordEvent(AuditEvent event, String sink, String location, Throwable reason) {
        write(event.vendor(), location, sink, reason, null, event);
    }

    private void write(String vendor, String location, String sink, Throwable cause, String text, AuditEvent unredacted) {
        Redaction rules = redaction;
        String raw = rules.applyText(vendor, text);
        AuditEvent event = rules.apply(unredacted);
        ObjectNode entry = Json.MAPPER.createObjectNode();
        entry.put("time", clock.instant().toString());
        entry.put("vendor", vendor);
        entry.put("source", location);
        entry.put("sink", sink);
        entry.put("error", reason(cause));
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof SinkDeliveryException failure) {
                if (failure.status() != null) {
                    entry.put("status", failure.status());
                }
                if (failure.response() != null) {
                    entry.put("response", failure.response());
                }
                break;
            }
        }
        if (raw != null || event == null) {
            entry.put("raw", raw);
        }
        if (event != null) {
            entry.set("event", Json.MAPPER.valueToTree(event));
        }
        append(entry);
        stats.deadLettered(vendor, sink == null ? "invalid_record" : "sink_" + sink);
        LOG.warn("Dead-lettered a {} record from {}{}: {}", vendor, location,
                sink == null ? "" : " at sink " + sink, entry.get("error").asText());
    }

    /** Records a whole input (a file or object) that could not be read at all. */
    public void recordUnreadable(String vendor, String location, String reason) {
        ObjectNode entry = Json.MAPPER.createObjectNode();
        entry.put("time", clock.instant().toString());
        entry.put("vendor", vendor);
        entry.put("source", location);
        entry.putNull("sink");
        entry.put("error", reason);
        entry.putNull("raw");
        append(entry);
        stats.deadLettered(vendor, "unreadable_input");
        LOG.warn("Dead-lettered unreadable {} input {}: {}", vendor, location, reason);
    }

    /** All entries currently in the store. */
    public List<JsonNode> entries() {
        try {
            return mutex.hold(this::read);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the dead-letter store " + file, e);
        }
    }

    private List<JsonNode> read() throws IOException {
        List<JsonNode> out = new ArrayList<>();
        if (!Files.exists(file)) {
            return out;
        }
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (!line.isBlank()) {
                out.add(Json.MAPPER.readTree(line));
            }
        }
        return out;
    }

    /**
     * The reason to record: the message of the relay's own exception when Camel wrapped it
     * (e.g. in a bean invocation failure), else the message of the exception itself.
     */
    static String reason(Throwable error) {
        if (error == null) {
            return "unknown error";
        }
        Throwable cause = error;
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t.getClass().getName().startsWith("io.auditrelay.")) {
                cause = t;
                break;
            }
        }
        String message = cause.getMessage();
        return message == null || message.isBlank() ? cause.getClass().getSimpleName() : message;
    }

    /**
     * Used by the dead-letter replay: atomically replaces the store with {@code keep} followed by every entry
     * appended after the first {@code replayed} entries (the ones that failed again during the replay, with
     * their new reason). Written to a temporary file in the same folder, then moved over the store.
     */
    public void compact(int replayed, List<JsonNode> keep) {
        try {
            mutex.hold(() -> {
                List<JsonNode> all = read();
                List<JsonNode> out = new ArrayList<>(keep);
                out.addAll(all.subList(Math.min(replayed, all.size()), all.size()));
                Path tmp = file.resolveSibling(FILE_NAME + ".tmp");
                StringBuilder text = new StringBuilder();
                for (JsonNode entry : out) {
                    text.append(Json.MAPPER.writeValueAsString(entry)).append('\n');
                }
                try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.CREATE,
                        StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
                    channel.write(ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.UTF_8)));
                    channel.force(true);
                }
                return Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot rewrite the dead-letter store " + file, e);
        }
    }

    private void append(ObjectNode entry) {
        try {
            byte[] line = (Json.MAPPER.writeValueAsString(entry) + "\n").getBytes(StandardCharsets.UTF_8);
            mutex.hold(() -> {
                try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
                    out.write(line);
                }
                return null;
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the dead-letter store " + file, e);
        }
    }
}
