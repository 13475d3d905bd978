package io.auditrelay.spine;

import org.apache.camel.spi.IdempotentRepository;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

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
 * of them at start, so none compacts away the ids another one appended. While it runs, a store reads what the
 * others' files gained since ({@link DedupeFileTail}) before it claims ids, once {@code peerRefresh} has passed since
 * it last did: an event another replica delivered (a Kafka partition that moved from one replica to the other and is
 * read again from its last committed offset) is then a duplicate here too. Only what another store confirmed by then is known: an id
 * two stores claim at the same moment is delivered by both, which at-least-once allows. A store that starts takes
 * over the files of stores that are no longer running (their ids are written to its own file, theirs is deleted).
 */
public class DedupeRepository extends ServiceSupport implements IdempotentRepository {

    public static final String FILE_NAME = "dedupe-ids.txt";
    private static final Logger LOG = LoggerFactory.getLogger(DedupeRepository.class);

    /** What claiming an id found. */
    public enum Claim {
        /** Not seen before: claimed. */
        NEW,
        /** Seen before (delivered, in flight, or earlier in the same list) with the same content, or content not known. */
        DUPLICATE,
        /** Seen before with other content. */
        CONFLICT
    }

    /** How often a store reads what the other stores of its directory delivered, unless told otherwise. */
    public static final Duration PEER_REFRESH = Duration.ofMillis(200);

    private final Path dir;
    private final IdHashSet ids;
    private final long peerRefreshNanos;
    private DedupeSlot slot;
    private Path file;
    private long linesInFile;
    private OutputStream out;
    /** The files of the other stores that were running, read up to where they ended; guarded by itself. */
    private final Map<Path, DedupeFileTail> peers = new HashMap<>();
    private boolean peersOpen;
    private volatile long nextPeerRead;

    public DedupeRepository(Path stateDir, int maxIds) {
        this(stateDir, maxIds, PEER_REFRESH);
    }

    /**
     * @param peerRefresh how often, at most, the store reads what the other stores of {@code stateDir} delivered
     *                    since (zero: before every claim)
     */
    public DedupeRepository(Path stateDir, int maxIds, Duration peerRefresh) {
        if (peerRefresh.isNegative()) {
            throw new IllegalArgumentException("the dedupe store's peer refresh interval (relay.dedupe.peer-refresh-ms)"
                    + " must be 0 or more, not " + peerRefresh.toMillis() + " ms");
        }
        this.dir = stateDir;
        this.file = stateDir.resolve(FILE_NAME);
        this.ids = new IdHashSet(maxIds);
        this.peerRefreshNanos = peerRefresh.toNanos();
    }

    /** Claims an id for an event being delivered (in memory): a second copy in flight is a duplicate. */
    @Override
    public boolean add(String key) {
        long[] hash = IdHashSet.hash(key);
        readPeers();
        synchronized (this) {
            return ids.add(hash[0], hash[1]);
        }
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
        readPeers();
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
        readPeers();
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
    public boolean contains(String key) {
        long[] hash = IdHashSet.hash(key);
        readPeers();
        synchronized (this) {
            return ids.contains(hash[0], hash[1]);
        }
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
    protected void doStart() throws Exception {
        List<DedupeFileTail> running = new ArrayList<>(); // the other stores' files, read up to where they end now
        try {
            start(running);
        } catch (Exception e) {
            for (DedupeFileTail tail : running) {
                tail.close();
            }
            throw e;
        }
        synchronized (peers) { // not under this store's lock: readPeers takes the two the other way round
            running.forEach(tail -> peers.put(tail.file(), tail));
            peersOpen = true;
        }
        nextPeerRead = System.nanoTime() + peerRefreshNanos;
    }

    private synchronized void start(List<DedupeFileTail> running) throws IOException {
        slot = DedupeSlot.take(dir);
        file = slot.file();
        List<DedupeSlot.Other> others = List.of();
        try {
            others = slot.others();
            for (DedupeSlot.Other other : others) {
                DedupeFileTail tail = new DedupeFileTail(other.file());
                try {
                    tail.read(this::learn); // first, so that this store's own ids count as the newest
                } finally {
                    if (other.stopped()) {
                        tail.close();
                    } else {
                        running.add(tail); // read on from here while this store runs
                    }
                }
            }
            try (DedupeFileTail own = new DedupeFileTail(file)) {
                own.read(this::learn);
            }
            rewrite(); // also counts the lines of the file it writes
            for (DedupeSlot.Other other : others) {
                if (other.stopped()) { // its ids are in this store's file now
                    Files.deleteIfExists(other.file());
                    LOG.info("Dedupe store {} took over the ids of {}, whose store is not running", file, other.file());
                }
            }
        } catch (IOException | RuntimeException e) {
            slot.release();
            slot = null;
            throw e;
        } finally {
            for (DedupeSlot.Other other : others) {
                other.release();
            }
        }
        LOG.info("Dedupe store {} holds {} ids{}", file, ids.size(), others.isEmpty() ? ""
                : " (with those of " + others.size() + " other store file(s) of " + dir + ")");
    }

    /** Adds an id read from a store file; one known without its content gets it now. Called with the lock held. */
    private void learn(long high, long low, long content) {
        if (!ids.add(high, low, content) && content != 0 && ids.content(high, low) == 0) {
            ids.remove(high, low); // the id again, now with its content
            ids.add(high, low, content);
        }
    }

    /**
     * Reads what the other stores of the directory confirmed since the last time, when that was at least
     * {@code peerRefresh} ago. One caller reads; a claim due meanwhile waits for it (then reads again itself only if
     * the interval has passed since), so no claim goes on with a view older than the interval. A failure is logged and
     * tried again at the next refresh: claims go on with what is known.
     */
    private void readPeers() {
        if (System.nanoTime() - nextPeerRead < 0) {
            return;
        }
        synchronized (peers) {
            if (!peersOpen || System.nanoTime() - nextPeerRead < 0) {
                return; // stopped, or read by another claim meanwhile
            }
            try {
                Set<Path> running = new HashSet<>(DedupeSlot.otherFiles(dir, file));
                for (Path other : running) {
                    if (!peers.containsKey(other)) {
                        LOG.info("Dedupe store {} reads the ids another store confirms in {}", file, other);
                        peers.put(other, new DedupeFileTail(other));
                    }
                }
                for (Iterator<DedupeFileTail> it = peers.values().iterator(); it.hasNext(); ) {
                    DedupeFileTail tail = it.next();
                    if (!running.contains(tail.file()) || !tail.read(this::learnLocked)) {
                        LOG.info("Dedupe store {} no longer reads {}: it is gone (taken over by another store)",
                                file, tail.file());
                        tail.close();
                        it.remove();
                    }
                }
            } catch (IOException | UncheckedIOException e) {
                LOG.warn("Dedupe store {} cannot read what the other stores of {} delivered: {}; it tries again in {}"
                        + " ms", file, dir, e.toString(), TimeUnit.NANOSECONDS.toMillis(peerRefreshNanos));
            } finally {
                nextPeerRead = System.nanoTime() + peerRefreshNanos;
            }
        }
    }

    private synchronized void learnLocked(long high, long low, long content) {
        learn(high, low, content);
    }

    private void closePeers() throws IOException {
        synchronized (peers) {
            peersOpen = false;
            for (DedupeFileTail tail : peers.values()) {
                tail.close();
            }
            peers.clear();
        }
    }

    @Override
    protected void doStop() throws Exception {
        closePeers(); // not under this store's lock: readPeers takes the two the other way round
        synchronized (this) {
            if (out != null) {
                out.close();
                out = null;
            }
            if (slot != null) {
                slot.release();
                slot = null;
            }
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
     * Writes one line at {@code at}; returns where the next one starts. By hand rather than with {@code HexFormat},
     * which gives a long's digits only as a new String (three per id on every unit's confirm); {@link DedupeFileTail}
     * reads the lines back.
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
