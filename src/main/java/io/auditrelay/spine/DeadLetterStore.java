package io.auditrelay.spine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.auditrelay.event.AuditEvent;
import io.auditrelay.mapper.Json;
import io.auditrelay.sink.SinkDeliveryException;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
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
 */
public class DeadLetterStore {

    public static final String FILE_NAME = "dead-letters.jsonl";
    /**
     * Exchange property a sink sets when it replaced the body (e.g. with the JSON it sends): the canonical
     * event, so a failure there is still dead-lettered with its {@code event} (and can be replayed to that sink).
     */
    public static final String EVENT = "relayEvent";
    private static final Logger LOG = LoggerFactory.getLogger(DeadLetterStore.class);

    private final Path file;
    private final Clock clock;
    private final RelayStats stats;

    public DeadLetterStore(Path dir, Clock clock, RelayStats stats) {
        this.file = dir.resolve(FILE_NAME);
        this.clock = clock;
        this.stats = stats;
    }

    public Path file() {
        return file;
    }

    /** Records the exchange's record with the exception that stopped it; called by the routes' error handlers. */
    public void record(Exchange exchange) {
        Throwable cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        String sink = exchange.getMessage().getHeader(Headers.SINK, String.class);
        SourceRecord source = exchange.getProperty(Normalizer.SOURCE_RECORD, SourceRecord.class);
        Object body = exchange.getMessage().getBody();
        if (!(body instanceof AuditEvent) && exchange.getProperty(EVENT) instanceof AuditEvent event) {
            body = event;
        }
        String vendor = exchange.getMessage().getHeader(Headers.VENDOR, String.class);
        String location = exchange.getMessage().getHeader(Headers.LOCATION, String.class);
        if (source == null && body instanceof SourceRecord record) {
            source = record;
        }
        if (source != null) {
            vendor = source.vendor();
            location = source.location();
        }
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
        if (source != null) {
            entry.put("raw", source.text());
        } else if (!(body instanceof AuditEvent)) {
            entry.put("raw", exchange.getMessage().getBody(String.class));
        }
        if (body instanceof AuditEvent event) {
            entry.set("event", Json.MAPPER.valueToTree(event));
        }
        append(entry);
        stats.deadLettered(vendor, sink == null ? "invalid_record" : "sink_" + sink);
        LOG.warn("Dead-lettered a {} record from {}{}: {}", vendor, location,
                sink == null ? "" : " at sink " + sink, entry.get("error").asText());
    }

    /** Records a canonical event that a batching sink could not write, outside of any route. */
    public void recordEvent(org.apache.camel.CamelContext context, AuditEvent event, String sink, String location,
                            Throwable reason) {
        Exchange exchange = new org.apache.camel.support.DefaultExchange(context);
        exchange.getMessage().setBody(event);
        exchange.getMessage().setHeader(Headers.SINK, sink);
        exchange.getMessage().setHeader(Headers.VENDOR, event.vendor());
        exchange.getMessage().setHeader(Headers.EVENT_ID, event.id());
        exchange.getMessage().setHeader(Headers.LOCATION, location);
        exchange.setProperty(Exchange.EXCEPTION_CAUGHT, reason);
        record(exchange);
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
    public synchronized List<JsonNode> entries() {
        List<JsonNode> out = new ArrayList<>();
        if (!Files.exists(file)) {
            return out;
        }
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                if (!line.isBlank()) {
                    out.add(Json.MAPPER.readTree(line));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** Records a whole input file that could not be read at all; called by the inbox's error handler. */
    public void recordUnreadableFile(Exchange exchange) {
        recordUnreadable(exchange.getMessage().getHeader(Headers.VENDOR, String.class),
                exchange.getMessage().getHeader(Exchange.FILE_PATH, String.class),
                reason(exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class)));
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
    public synchronized void compact(int replayed, List<JsonNode> keep) {
        List<JsonNode> all = entries();
        List<JsonNode> out = new ArrayList<>(keep);
        out.addAll(all.subList(Math.min(replayed, all.size()), all.size()));
        try {
            Files.createDirectories(file.getParent());
            Path tmp = file.resolveSibling(FILE_NAME + ".tmp");
            StringBuilder text = new StringBuilder();
            for (JsonNode entry : out) {
                text.append(Json.MAPPER.writeValueAsString(entry)).append('\n');
            }
            try (var channel = java.nio.channels.FileChannel.open(tmp, StandardOpenOption.CREATE,
                    StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
                channel.write(java.nio.ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.UTF_8)));
                channel.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot rewrite the dead-letter store " + file, e);
        }
    }

    private synchronized void append(ObjectNode entry) {
        try {
            Files.createDirectories(file.getParent());
            byte[] line = (Json.MAPPER.writeValueAsString(entry) + "\n").getBytes(StandardCharsets.UTF_8);
            try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
                out.write(line);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the dead-letter store " + file, e);
        }
    }
}
