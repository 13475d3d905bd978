package io.auditrelay.source;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;

/**
 * A gzip stream that checks, while it inflates, that the input stays under the decompressed size and the compression
 * ratio of {@link InputLimits}: a gzip bomb ends with {@link LimitExceededException} after a few megabytes, never after
 * it filled the disk or the heap. The ratio is checked once a megabyte came out, so a small, very regular file is fine.
 */
final class BoundedGzip extends FilterInputStream {

    /** An input that went over one of the limits: it cannot be read on. */
    static final class LimitExceededException extends IOException {
        LimitExceededException(String message) {
            super(message);
        }
    }

    private static final long RATIO_AFTER = InputLimits.MIB;

    private final Counting compressed;
    private final long maxBytes;
    private final int maxRatio;
    private long inflated;

    private BoundedGzip(Counting compressed, InputStream inflating, InputLimits limits) {
        super(inflating);
        this.compressed = compressed;
        this.maxBytes = limits.maxDecompressedBytes();
        this.maxRatio = limits.maxCompressionRatio();
    }

    static InputStream open(InputStream gzipped, InputLimits limits) throws IOException {
        Counting counting = new Counting(gzipped);
        return new BoundedGzip(counting, new GZIPInputStream(counting, 65536), limits);
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
            count(1);
        }
        return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        int n = super.read(buffer, offset, length);
        if (n > 0) {
            count(n);
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        long skipped = super.skip(n);
        if (skipped > 0) {
            count(skipped);
        }
        return skipped;
    }

    private void count(long n) throws IOException {
        inflated += n;
        if (inflated > maxBytes) {
            throw new LimitExceededException("gzip data inflates to more than relay.input.max-decompressed-bytes ("
                    + maxBytes + " bytes)");
        }
        if (inflated > RATIO_AFTER && inflated > (double) maxRatio * Math.max(1, compressed.count)) {
            throw new LimitExceededException("gzip data inflates more than relay.input.max-compression-ratio ("
                    + maxRatio + ":1): " + inflated + " bytes from " + compressed.count + " (a gzip bomb?)");
        }
    }

    /** Counts the compressed bytes the inflater took. */
    private static final class Counting extends FilterInputStream {
        long count;

        Counting(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = super.read(buffer, offset, length);
            if (n > 0) {
                count += n;
            }
            return n;
        }
    }
}
