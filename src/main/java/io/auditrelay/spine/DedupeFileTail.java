package io.auditrelay.spine;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Arrays;

/**
 * Reads a dedupe store file's complete lines, and on each later {@link #read} the lines it gained since: how a store
 * loads a file at start, and how it learns what the other stores of its directory deliver while it runs. A line is
 * 32 hex digits of an id hash, optionally followed by 16 of its content hash ({@link DedupeRepository}); a line
 * not yet ended (another store is writing it, or was killed while it did) is read once it is; other lines are
 * skipped. When the file was replaced (its store compacted it, or a restarted store rewrote it), the new file is read
 * from its start. Memory is bounded by the read buffer, whatever the file holds.
 */
final class DedupeFileTail implements Closeable {

    /** Receives the lines read: an id hash and its content hash (0: not known). */
    interface Lines {
        void line(long high, long low, long content);
    }

    private static final int LONGEST_LINE = 48;
    private static final byte[] HEX_VALUE = new byte[256];

    static {
        Arrays.fill(HEX_VALUE, (byte) -1);
        for (int c = '0'; c <= '9'; c++) {
            HEX_VALUE[c] = (byte) (c - '0');
        }
        for (int c = 'a'; c <= 'f'; c++) {
            HEX_VALUE[c] = (byte) (c - 'a' + 10);
            HEX_VALUE[c - 'a' + 'A'] = (byte) (c - 'a' + 10);
        }
    }

    private final Path file;
    private final byte[] bytes = new byte[1 << 16];
    private FileChannel channel;
    private Object fileKey;
    /** Where the first line not read yet starts. */
    private long offset;

    DedupeFileTail(Path file) {
        this.file = file;
    }

    Path file() {
        return file;
    }

    /**
     * Hands over the complete lines the file gained since the last call (all of them on the first); false when the
     * file is gone (its store's file was taken over by another store), true otherwise.
     */
    boolean read(Lines lines) throws IOException {
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(file, BasicFileAttributes.class);
        } catch (NoSuchFileException gone) {
            close();
            return false;
        }
        Object key = attributes.fileKey(); // null where the file system has none: then a shorter file is a new one
        if (channel == null || (key != null ? !key.equals(fileKey) : attributes.size() < offset)) {
            // new, or replaced since: read it from its start
            close();
            try {
                channel = FileChannel.open(file, StandardOpenOption.READ);
            } catch (NoSuchFileException gone) {
                return false;
            }
            fileKey = key;
            offset = 0;
        }
        readFrom(lines);
        return true;
    }

    private void readFrom(Lines lines) throws IOException {
        long position = offset; // of bytes[0] in the file
        int filled = 0;
        boolean skipping = false; // inside a line too long to be one of a store's
        int read;
        while ((read = channel.read(ByteBuffer.wrap(bytes, filled, bytes.length - filled), position + filled)) > 0) {
            filled += read;
            int start = 0;
            for (int i = 0; i < filled; i++) {
                if (bytes[i] == '\n') {
                    if (!skipping) {
                        parse(bytes, start, i - start, lines);
                    }
                    skipping = false;
                    start = i + 1;
                }
            }
            if (start == 0 && filled == bytes.length) {
                skipping = true;
                start = filled;
            }
            position += start;
            System.arraycopy(bytes, start, bytes, 0, filled - start);
            filled -= start;
            if (!skipping) {
                offset = position; // a line not ended yet is read again next time
            }
        }
    }

    private static void parse(byte[] bytes, int at, int length, Lines lines) {
        if (length != 32 && length != LONGEST_LINE) {
            return;
        }
        for (int i = at; i < at + length; i++) {
            if (HEX_VALUE[bytes[i] & 0xff] < 0) {
                return;
            }
        }
        lines.line(hex(bytes, at), hex(bytes, at + 16), length == LONGEST_LINE ? hex(bytes, at + 32) : 0);
    }

    private static long hex(byte[] bytes, int at) {
        long value = 0;
        for (int i = at; i < at + 16; i++) {
            value = value << 4 | HEX_VALUE[bytes[i] & 0xff];
        }
        return value;
    }

    @Override
    public void close() throws IOException {
        if (channel != null) {
            channel.close();
            channel = null;
        }
    }
}
