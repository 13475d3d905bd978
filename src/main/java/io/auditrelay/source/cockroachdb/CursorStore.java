package io.auditrelay.source.cockroachdb;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.auditrelay.mapper.Json;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;

/**
 * The durable cursor of the CockroachDB Cloud source: {@code <relay.state.dir>/cockroachdb-cursor.json},
 * {@code {"starting_from": "2022-10-09T02:40:35.054818Z", "delivered_ids": ["..."]}}: where the next request
 * starts, and the ids at exactly that timestamp that were already delivered ({@code starting_from} is
 * inclusive, so they come again), plus {@code "complete": true} once a window (a source with {@code until}) was read
 * to its end. The value is kept as the exact string the API returned; it is compared as an instant, never as text. Written to a temp file, forced to disk, then
 * moved over the old one with ATOMIC_MOVE, so a crash leaves either the old or the new cursor.
 */
public class CursorStore {

    public static final String FILE_NAME = "cockroachdb-cursor.json";

    private final Path file;

    public CursorStore(Path stateDir) {
        this.file = stateDir.resolve(FILE_NAME);
    }

    /** The cursor of the source named {@code name}: {@code <name>-cursor.json} ({@code cockroachdb} gives {@link #FILE_NAME}). */
    public CursorStore(Path stateDir, String name) {
        this.file = stateDir.resolve(name + "-cursor.json");
    }

    public Path file() {
        return file;
    }

    /**
     * A saved position: the next {@code starting_from}, the ids already delivered at that timestamp, and whether the
     * window it reads (a source with {@code until}) is complete.
     */
    public record Cursor(String startingFrom, Set<String> deliveredIds, boolean complete) {
        public Cursor {
            deliveredIds = deliveredIds == null ? Set.of() : Collections.unmodifiableSet(new LinkedHashSet<>(deliveredIds));
        }

        public Cursor(String startingFrom, Set<String> deliveredIds) {
            this(startingFrom, deliveredIds, false);
        }

        /** The same position, marked complete. */
        public Cursor completed() {
            return new Cursor(startingFrom, deliveredIds, true);
        }
    }

    /** The saved cursor, or empty on the first run. */
    public Optional<Cursor> read() {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            JsonNode node = Json.MAPPER.readTree(Files.readString(file, StandardCharsets.UTF_8));
            JsonNode value = node == null ? null : node.get("starting_from");
            boolean complete = node != null && node.path("complete").asBoolean(false);
            if (value == null || !value.isTextual() || value.asText().isBlank()) {
                return complete ? Optional.of(new Cursor(null, Set.of(), true)) : Optional.empty();
            }
            Set<String> ids = new LinkedHashSet<>();
            JsonNode delivered = node.get("delivered_ids");
            if (delivered != null && delivered.isArray()) {
                delivered.forEach(id -> ids.add(id.asText()));
            }
            return Optional.of(new Cursor(value.asText(), ids, complete));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the CockroachDB cursor " + file
                    + " (fix or delete it; deleting restarts from relay.source.cockroachdb.start-from)", e);
        }
    }

    /** Saves the cursor atomically. */
    public void save(Cursor cursor) {
        ObjectNode node = Json.MAPPER.createObjectNode();
        node.put("starting_from", cursor.startingFrom());
        ArrayNode ids = node.putArray("delivered_ids");
        cursor.deliveredIds().forEach(ids::add);
        if (cursor.complete()) {
            node.put("complete", true);
        }
        try {
            Files.createDirectories(file.getParent());
            Path temp = file.resolveSibling(file.getFileName() + ".tmp");
            byte[] bytes = (Json.MAPPER.writeValueAsString(node) + "\n").getBytes(StandardCharsets.UTF_8);
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                channel.write(java.nio.ByteBuffer.wrap(bytes));
                channel.force(true);
            }
            try {
                Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("the state directory does not support atomic moves: " + file.getParent(), e);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save the CockroachDB cursor " + file, e);
        }
    }
}
