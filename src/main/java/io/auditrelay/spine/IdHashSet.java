package io.auditrelay.spine;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * A bounded, insertion-ordered set of 128-bit id hashes, each with a 64-bit hash of its content (0: not known): when
 * full, adding evicts the oldest. Three long arrays hold the hashes in a ring and an open-addressing table indexes the
 * ring, so a million ids take about 32 MB instead of the 150 MB a {@code LinkedHashSet<String>} would.
 * Not thread-safe: {@link DedupeRepository} guards it.
 */
public final class IdHashSet {

    /** One digest per thread rather than a provider lookup (MessageDigest.getInstance) per id. */
    private static final ThreadLocal<MessageDigest> MD5 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    });

    private final long[] hi;
    private final long[] lo;
    private final long[] content;
    private final boolean[] live;
    private final int[] table;
    private final int mask;
    private int next;
    private int size;

    public IdHashSet(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be positive");
        }
        hi = new long[capacity];
        lo = new long[capacity];
        content = new long[capacity];
        live = new boolean[capacity];
        int tableSize = Integer.highestOneBit(Math.max(4, capacity * 2 - 1)) << 1;
        table = new int[tableSize];
        mask = tableSize - 1;
    }

    public int size() {
        return size;
    }

    public int capacity() {
        return hi.length;
    }

    public boolean contains(long h, long l) {
        return find(h, l) >= 0;
    }

    /** Adds the hash; returns false if it was already present. */
    public boolean add(long h, long l) {
        return add(h, l, 0);
    }

    /** The content hash kept with an id hash: 0 when it is not known or the id is not present. */
    public long content(long h, long l) {
        int slot = find(h, l);
        return slot < 0 ? 0 : content[table[slot] - 1];
    }

    /** Adds the hash with its content hash (0: not known); returns false if it was already present (kept as it was). */
    public boolean add(long h, long l, long contentHash) {
        if (find(h, l) >= 0) {
            return false;
        }
        if (live[next]) {
            removeSlot(find(hi[next], lo[next]));
        }
        hi[next] = h;
        lo[next] = l;
        content[next] = contentHash;
        live[next] = true;
        int slot = home(h, l);
        while (table[slot] != 0) {
            slot = (slot + 1) & mask;
        }
        table[slot] = next + 1;
        next = (next + 1) % hi.length;
        size++;
        return true;
    }

    public boolean remove(long h, long l) {
        int slot = find(h, l);
        if (slot < 0) {
            return false;
        }
        removeSlot(slot);
        return true;
    }

    public void clear() {
        Arrays.fill(table, 0);
        Arrays.fill(live, false);
        next = 0;
        size = 0;
    }

    /** Visits the live hashes from oldest to newest: id hash (high, low) and content hash. */
    void forEachOldestFirst(Visitor visitor) {
        for (int i = 0; i < hi.length; i++) {
            int index = (next + i) % hi.length;
            if (live[index]) {
                visitor.visit(hi[index], lo[index], content[index]);
            }
        }
    }

    /** What {@link #forEachOldestFirst} calls for each entry. */
    interface Visitor {
        void visit(long high, long low, long content);
    }

    private int home(long h, long l) {
        long mixed = h ^ (l * 0x9E3779B97F4A7C15L);
        return (int) (mixed ^ (mixed >>> 32)) & mask;
    }

    private int find(long h, long l) {
        int slot = home(h, l);
        while (table[slot] != 0) {
            int index = table[slot] - 1;
            if (hi[index] == h && lo[index] == l) {
                return slot;
            }
            slot = (slot + 1) & mask;
        }
        return -1;
    }

    /** Linear-probing deletion with backward shift, so no tombstones are needed. */
    private void removeSlot(int slot) {
        int index = table[slot] - 1;
        live[index] = false;
        size--;
        int gap = slot;
        int probe = slot;
        while (true) {
            probe = (probe + 1) & mask;
            if (table[probe] == 0) {
                break;
            }
            int entry = table[probe] - 1;
            int want = home(hi[entry], lo[entry]);
            boolean movable = gap <= probe ? (want <= gap || want > probe) : (want <= gap && want > probe);
            if (movable) {
                table[gap] = table[probe];
                gap = probe;
            }
        }
        table[gap] = 0;
    }

    /** The 128-bit hash of an id, as {high, low}. */
    public static long[] hash(String id) {
        return hash(id, md5(), 0);
    }

    /** This thread's MD5 digest, for a caller that hashes many ids at once. */
    static MessageDigest md5() {
        return MD5.get();
    }

    /**
     * The 128-bit hash of an id with the digest given, as {high, low, content}: a content hash carried along is
     * written with the id when it is confirmed, without looking it up again.
     */
    static long[] hash(String id, MessageDigest md5, long content) {
        ByteBuffer buffer = ByteBuffer.wrap(md5.digest(id.getBytes(StandardCharsets.UTF_8)));
        return content == 0 ? new long[] {buffer.getLong(), buffer.getLong()}
                : new long[] {buffer.getLong(), buffer.getLong(), content};
    }

    /** The content hash a hash carries ({@link #hash(String, MessageDigest, long)}), 0 if none. */
    static long carriedContent(long[] hash) {
        return hash.length > 2 ? hash[2] : 0;
    }

    public boolean contains(String id) {
        long[] h = hash(id);
        return contains(h[0], h[1]);
    }

    public boolean add(String id) {
        long[] h = hash(id);
        return add(h[0], h[1]);
    }
}
