package dev.safeload.model.pickle;

import dev.safeload.model.ModelSource;
import java.io.EOFException;
import java.io.IOException;

/**
 * A forward-only, buffered reader over a {@link ModelSource} from a start offset. One window
 * buffer serves every read, so a pickle of any length is read in constant memory, and long
 * byte strings are skipped without being read.
 */
public final class PickleInput {

    private static final int WINDOW = 64 * 1024;

    private final ModelSource source;
    private final long end;
    private final byte[] buf = new byte[WINDOW];
    private long bufStart;
    private int pos;
    private int limit;

    /** Reads {@code source} from {@code start} to its end. */
    public PickleInput(ModelSource source, long start) throws IOException {
        this.source = source;
        this.end = source.size();
        this.bufStart = start;
    }

    /** The offset of the next byte in the source. */
    public long position() {
        return bufStart + pos;
    }

    /** Bytes left before the end of the source. */
    public long remaining() {
        return end - position();
    }

    public String name() {
        return source.name();
    }

    /** The next byte (0-255), or -1 at the end. */
    public int read() throws IOException {
        if (pos == limit && !fill()) {
            return -1;
        }
        return buf[pos++] & 0xff;
    }

    /** The next byte; the end is an error. */
    public int readByte() throws IOException {
        if (pos == limit && !fill()) {
            throw new EOFException();
        }
        return buf[pos++] & 0xff;
    }

    /** A little-endian integer of {@code n} (1 to 8) bytes, unsigned except for n = 8. */
    public long readLE(int n) throws IOException {
        if (limit - pos >= n) {
            long v = 0;
            for (int i = n - 1; i >= 0; i--) {
                v = (v << 8) | (buf[pos + i] & 0xff);
            }
            pos += n;
            return v;
        }
        long v = 0;
        for (int i = 0; i < n; i++) {
            v |= (long) readByte() << (8 * i);
        }
        return v;
    }

    /** Copies exactly {@code len} bytes. */
    public void readFully(byte[] dst, int off, int len) throws IOException {
        while (len > 0) {
            if (pos == limit && !fill()) {
                throw new EOFException();
            }
            int n = Math.min(len, limit - pos);
            System.arraycopy(buf, pos, dst, off, n);
            pos += n;
            off += n;
            len -= n;
        }
    }

    /** Skips exactly {@code n} bytes without reading them; an end before that is an error. */
    public void skip(long n) throws IOException {
        if (n < 0 || n > remaining()) {
            throw new EOFException();
        }
        if (n <= limit - pos) {
            pos += (int) n;
            return;
        }
        bufStart = position() + n;
        pos = 0;
        limit = 0;
    }

    /**
     * Reads up to and including the next {@code '\n'} into {@code dst}; returns the length
     * without the newline, or -1 - max if the line is longer than {@code dst}.
     */
    public int readLine(byte[] dst) throws IOException {
        int n = 0;
        while (true) {
            if (pos == limit && !fill()) {
                throw new EOFException();
            }
            byte b = buf[pos++];
            if (b == '\n') {
                return n;
            }
            if (n == dst.length) {
                return -1 - n;
            }
            dst[n++] = b;
        }
    }

    private boolean fill() throws IOException {
        bufStart += limit;
        pos = 0;
        limit = 0;
        long left = end - bufStart;
        if (left <= 0) {
            return false;
        }
        int want = (int) Math.min(WINDOW, left);
        while (limit < want) {
            int n = source.read(bufStart + limit, buf, limit, want - limit);
            if (n <= 0) {
                break;
            }
            limit += n;
        }
        return limit > 0;
    }
}
