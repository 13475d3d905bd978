package io.auditrelay.source;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The lines of a byte stream, each at most {@code maxBytes} long in memory: the rest of a longer line is skipped as it
 * streams by, never buffered. Each line is decoded as strict UTF-8; a line with invalid UTF-8, a NUL or another control
 * character (other than tab and carriage return) carries the problem instead of passing for text.
 */
final class LineSource {

    /** How much of a line that is not kept (too long) is kept for the dead-letter store. */
    static final int PREFIX = 4096;

    /**
     * One line without its {@code \n} (a {@code \r} before it is kept). {@code problem} is null for a good line; then
     * {@code text} is the whole line, else what can be shown of it.
     */
    record Line(long number, String text, long bytes, String problem) {
        boolean blank() {
            return problem == null && text.isBlank();
        }
    }

    private final InputStream in;
    private final long maxBytes;
    private final byte[] buffer = new byte[65536];
    private int position;
    private int limit;
    private byte[] line = new byte[1024];
    private long number;
    private boolean eof;

    LineSource(InputStream in, long maxBytes) {
        this.in = in;
        this.maxBytes = maxBytes;
    }

    /** The number of the last line returned (1-based). */
    long lineNumber() {
        return number;
    }

    /** The next line, or null at the end of the input. */
    Line next() throws IOException {
        if (eof) {
            return null;
        }
        int kept = 0;
        long total = 0;
        int control = -1;
        boolean any = false;
        while (true) {
            if (position == limit) {
                limit = in.read(buffer, 0, buffer.length);
                position = 0;
                if (limit <= 0) {
                    limit = 0;
                    eof = true;
                    if (!any) {
                        return null;
                    }
                    break;
                }
            }
            any = true;
            int start = position;
            int end = start;
            boolean newline = false;
            byte[] bytes = buffer;
            while (end < limit) {
                byte b = bytes[end];
                if (b < 0x20) { // also every byte of a multi-byte character (negative)
                    if (b == '\n') {
                        newline = true;
                        break;
                    }
                    if (b >= 0 && b != '\t' && b != '\r' && control < 0) {
                        control = (int) (total + end - start);
                    }
                }
                end++;
            }
            int n = end - start;
            long room = Math.max(0, Math.min(maxBytes, Integer.MAX_VALUE - 16) - kept);
            int keep = (int) Math.min(n, room);
            if (keep > 0) {
                if (kept + keep > line.length) {
                    line = Arrays.copyOf(line, (int) Math.min(Math.max(line.length * 2L, kept + keep), Integer.MAX_VALUE - 16));
                }
                System.arraycopy(buffer, start, line, kept, keep);
                kept += keep;
            }
            total += n;
            position = newline ? end + 1 : end;
            if (newline) {
                break;
            }
        }
        number++;
        Line out = line(kept, total, control);
        if (line.length > 65536 * 4) {
            line = new byte[1024]; // one long line does not keep its buffer for the rest of the input
        }
        return out;
    }

    private Line line(int kept, long total, int control) {
        if (total > maxBytes) {
            return new Line(number, lenient(line, 0, Math.min(kept, PREFIX)), total, "line " + number + " is longer than"
                    + " relay.input.max-record-bytes (" + maxBytes + " bytes); its first " + Math.min(kept, PREFIX)
                    + " bytes are kept");
        }
        String text = new String(line, 0, kept, StandardCharsets.UTF_8);
        if (text.indexOf('\uFFFD') >= 0) {
            int bad = invalidUtf8(line, kept);
            if (bad >= 0) {
                return new Line(number, text, total, "invalid UTF-8 at byte " + (bad + 1) + " of line " + number);
            }
        }
        if (control >= 0) {
            return new Line(number, text, total, (line[control] == 0 ? "NUL byte" : String.format("control character U+%04X",
                    line[control])) + " at byte " + (control + 1) + " of line " + number);
        }
        return new Line(number, text, total, null);
    }

    /** Text for a human, invalid bytes replaced. */
    static String lenient(byte[] bytes, int offset, int length) {
        return new String(bytes, offset, length, StandardCharsets.UTF_8);
    }

    /** The offset of the first byte that is not valid UTF-8 (by RFC 3629), or -1 when all are. */
    static int invalidUtf8(byte[] bytes, int length) {
        return firstInvalid(bytes, length);
    }

    private static int firstInvalid(byte[] bytes, int length) {
        int i = 0;
        while (i < length) {
            int b = bytes[i] & 0xff;
            int extra;
            int min;
            if (b < 0x80) {
                i++;
                continue;
            } else if (b >= 0xC2 && b <= 0xDF) {
                extra = 1;
                min = 0x80;
            } else if (b >= 0xE0 && b <= 0xEF) {
                extra = 2;
                min = 0x800;
            } else if (b >= 0xF0 && b <= 0xF4) {
                extra = 3;
                min = 0x10000;
            } else {
                return i;
            }
            if (i + extra > length - 1) {
                return i;
            }
            int code = b & (0x3F >> extra);
            for (int k = 1; k <= extra; k++) {
                int c = bytes[i + k] & 0xff;
                if ((c & 0xC0) != 0x80) {
                    return i;
                }
                code = (code << 6) | (c & 0x3F);
            }
            if (code < min || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) {
                return i;
            }
            i += extra + 1;
        }
        return -1;
    }
}
