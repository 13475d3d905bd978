package io.auditrelay.spine;

import org.apache.camel.spi.IdempotentRepository;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;

/**
 * The spine's persistent idempotent repository: the last {@code maxIds} delivered event ids.
 *
 * <p>Used by the idempotent consumer in eager mode with the source's unit of work shared by its
 * records: {@link #add} claims an id in memory as the event enters the spine (so a second copy in
 * flight is a duplicate), {@link #confirm} writes it to disk when the whole unit was delivered and
 * flushed, and {@link #remove} releases it when the unit failed. After a crash, ids that were
 * claimed but not confirmed are simply unknown: their unit is read again.
 *
 * <p>Camel's {@code FileIdempotentRepository} scans its whole file on every cache miss, which is
 * every new id, so it does not scale to a million ids. This one keeps 128-bit hashes of the ids in
 * memory ({@link IdHashSet}) and appends each new hash to {@code dedupe-ids.txt}, one line per id;
 * the file is compacted to the newest {@code maxIds} entries when it grows past twice that. A torn
 * last line (a kill during a write) is ignored on load: that id was not confirmed.
 *
 * <p>With each id it keeps a 64-bit hash of the event's content ({@link #claimAll}), so an id seen again with other
 * content (another user's action under the same id) is told apart from a plain repeat: a conflicting duplicate. A line
 * is 32 hex digits of the id hash then 16 of the content hash; a line of 32 digits (written before content was kept)
 * is an id whose content is not known, which never conflicts.
 *
 * <p>Stores sharing a directory (relays on one state volume, a backfill beside the relay, two stores of one JVM) each
 * write a file of their own ({@link DedupeSlot}: {@code dedupe-ids.txt}, {@code dedupe-ids-1.txt}, ...) and load all
 * of them at start, so each knows what the others had delivered by then and none compacts away the ids another one
 * appended. A store that starts takes over the files of stores that are no longer running (their ids are written to
 * its own file, theirs is deleted).
 */
public class DedupeRepository extends ServiceSupport implements IdempotentRepository {

    public static final String FILE_NAME = "dedupe-ids.txt";
    private static final Logger LOG = LoggerFactory.getLogger(DedupeRepository.class);
    private static final HexFormat HEX = HexFormat.of();

    /** What claiming an id found. */
    public enum Claim {
        /** Not seen before: claimed. */
        NEW,
        /** Seen before (delivered, in flight, or earlier in the same list) with the same content, or content not known. */
        DUPLICATE,
        /** Seen before with other content. */
        CONFLICT
    }

    private final Path dir;
    private final IdHashSet ids;
    private DedupeSlot slot;
    private Path file;
    private long linesInFile;
    private OutputStream out;

    public DedupeRepository(Path stateDir, int maxIds) {
        this.dir = stateDir;
        this.file = stateDir.resolve(FILE_NAME);
        this.ids = new IdHashSet(maxIds);
    }

    /** Claims an id for an event being delivered (in memory): a second copy in flight is a duplicate. */
    @Override
    public synchronized boolean add(String key) {
        long[] hash = IdHashSet.hash(key);
        return ids.add(hash[0], hash[1]);
    }

    /**
     * Claims a chunk's ids under one lock (hashed before it): element i is true when {@code keys[i]} was new,
     * false when it was delivered before, is in flight, or came earlier in the same list.
     */
    public boolean[] addAll(List<String> keys) {
        long[][] hashes = new long[keys.size()][];
        for (int i = 0; i < hashes.length; i++) {
            hashes[i] = IdHashSet.hash(keys.get(i));
        }
        boolean[] fresh = new boolean[hashes.length];
        synchronized (this) {
            for (int i = 0; i < hashes.length; i++) {
                fresh[i] = ids.add(hashes[i][0], hashes[i][1]);
            }
        }
        return fresh;
    }

    /**
     * Claims a chunk's ids with the hashes of their events' content (0: not known) under one lock: element i says
     * whether {@code keys[i]} is new, a duplicate (same content, or content not known on either side) or a conflict
     * (the id was seen with other content). Only new ids are claimed.
     */
    public Claim[] claimAll(List<String> keys, long[] contents) {
        MessageDigest md5 = IdHashSet.md5();
        long[][] hashes = new long[keys.size()][];
        for (int i = 0; i < hashes.length; i++) {
            hashes[i] = IdHashSet.hash(keys.get(i), md5, contents[i]);
        }
        return claimHashes(hashes);
    }

    /**
     * {@link #claimAll} with the ids already hashed, each carrying its content hash
     * ({@link IdHashSet#hash(String, MessageDigest, long)}), for a caller that keeps the hashes to
     * {@link #confirmHashes confirm} or {@link #removeHash release} them later without hashing each id again.
     */
    public Claim[] claimHashes(long[][] hashes) {
        Claim[] claims = new Claim[hashes.length];
        synchronized (this) {
            for (int i = 0; i < hashes.length; i++) {
                long[] hash = hashes[i];
                long content = IdHashSet.carriedContent(hash);
                if (ids.add(hash[0], hash[1], content)) {
                    claims[i] = Claim.NEW;
                } else {
                    long known = ids.content(hash[0], hash[1]);
                    claims[i] = known != 0 && content != 0 && known != content ? Claim.CONFLICT : Claim.DUPLICATE;
                }
            }
        }
        return claims;
    }

    @Override
    public synchronized boolean contains(String key) {
        long[] hash = IdHashSet.hash(key);
        return ids.contains(hash[0], hash[1]);
    }

    /** The delivery of a claimed id failed: release it so the event can be delivered again. */
    @Override
    public synchronized boolean remove(String key) {
        return removeHash(IdHashSet.hash(key));
    }

    /** {@link #remove} of an id hashed before. */
    public synchronized boolean removeHash(long[] hash) {
        return ids.remove(hash[0], hash[1]);
    }

    /**
     * The unit the event belongs to (a file, a Kafka batch, an API page) was delivered and flushed by
     * every sink: the id is recorded durably. Appending a copy's id twice is harmless.
     */
    @Override
    public synchronized boolean confirm(String key) {
        append(IdHashSet.hash(key));
        return true;
    }

    @Override
    public synchronized void clear() {
        ids.clear();
        rewrite();
    }

    public synchronized int size() {
        return ids.size();
    }

    @Override
    protected synchronized void doStart() throws Exception {
        slot = DedupeSlot.take(dir);
        file = slot.file();
        List<DedupeSlot.Other> others = List.of();
        try {
            others = slot.others();
            for (DedupeSlot.Other other : others) {
                load(other.file()); // first, so that this store's own ids count as the newest
            }
            load(file);
            rewrite(); // also counts the lines of the file it writes
            for (DedupeSlot.Other other : others) {
                if (other.stopped()) { // its ids are in this store's file now
                    Files.deleteIfExists(other.file());
                    LOG.info("Dedupe store {} took over the ids of {}, whose store is not running", file, other.file());
                }
            }
        } catch (IOException | RuntimeException e) {
            slot.release();
            throw e;
        } finally {
            for (DedupeSlot.Other other : others) {
                other.release();
            }
        }
        LOG.info("Dedupe store {} holds {} ids{}", file, ids.size(), others.isEmpty() ? ""
                : " (with those of " + others.size() + " other store file(s) of " + dir + " as they were at start)");
    }

    /** Adds the ids of a store file (none from a file gone meanwhile). */
    private void load(Path source) throws IOException {
        try (BufferedReader reader = Files.newBufferedReader(source, StandardCharsets.US_ASCII)) {
            String line;
            while ((line = reader.readLine()) != null) {
                if (line.length() == 32 || line.length() == 48) {
                    try {
                        long high = HEX.fromHexDigitsToLong(line, 0, 16);
                        long low = HEX.fromHexDigitsToLong(line, 16, 32);
                        long content = line.length() == 48 ? HEX.fromHexDigitsToLong(line, 32, 48) : 0;
                        if (!ids.add(high, low, content) && content != 0 && ids.content(high, low) == 0) {
                            ids.remove(high, low); // the id again, now with its content
                            ids.add(high, low, content);
                        }
                    } catch (IllegalArgumentException torn) {
                        LOG.debug("Ignoring unreadable line in {}", source);
                    }
                }
            }
        } catch (NoSuchFileException gone) {
            // not written yet, or taken over by another store since it was listed
        }
    }

    @Override
    protected synchronized void doStop() throws Exception {
        if (out != null) {
            out.close();
            out = null;
        }
        if (slot != null) {
            slot.release();
            slot = null;
        }
    }

    private void append(long[] hash) {
        appendAll(List.of(hash));
    }

    /** Records a whole unit's ids with one write. */
    public void confirmAll(Collection<String> keys) {
        confirmHashes(keys.stream().map(IdHashSet::hash).toList());
    }

    /** {@link #confirmAll} of ids hashed before; a third element of a hash is its content hash, written with it. */
    public synchronized void confirmHashes(List<long[]> hashes) {
        appendAll(hashes);
    }

    private void appendAll(List<long[]> hashes) {
        if (hashes.isEmpty()) {
            return;
        }
        try {
            if (linesInFile >= 2L * ids.capacity()) {
                rewrite();
            }
            byte[] lines = new byte[hashes.size() * LINE_BYTES];
            int at = 0;
            for (long[] hash : hashes) {
                long content = IdHashSet.carriedContent(hash);
                at = line(lines, at, hash[0], hash[1], content != 0 ? content : ids.content(hash[0], hash[1]));
            }
            out.write(lines);
            out.flush();
            linesInFile += hashes.size();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the dedupe store " + file, e);
        }
    }

    /** A line of the file: the id hash's two halves and the content hash, 16 lower-case hex digits each. */
    private static final int LINE_BYTES = 49;
    private static final byte[] DIGITS = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    /**
     * Writes one line at {@code at}; returns where the next one starts. By hand rather than with {@link HexFormat},
     * which gives a long's digits only as a new String (three per id on every unit's confirm); the load reads the
     * lines back with {@link HexFormat}.
     */
    private static int line(byte[] buffer, int at, long high, long low, long content) {
        at = hex(buffer, at, high);
        at = hex(buffer, at, low);
        at = hex(buffer, at, content);
        buffer[at] = '\n';
        return at + 1;
    }

    private static int hex(byte[] buffer, int at, long value) {
        for (int shift = 60; shift >= 0; shift -= 4) {
            buffer[at++] = DIGITS[(int) (value >>> shift) & 0xf];
        }
        return at;
    }

    /** Writes the live hashes, oldest first, to a new file that atomically replaces the old one. */
    private void rewrite() {
        try {
            if (out != null) {
                out.close();
            }
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            try (OutputStream writer = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16)) {
                byte[] line = new byte[LINE_BYTES];
                ids.forEachOldestFirst((h, l, content) -> {
                    try {
                        writer.write(line, 0, line(line, 0, h, l, content));
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            linesInFile = ids.size();
            out = Files.newOutputStream(file, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot rewrite the dedupe store " + file, e);
        }
    }

}
