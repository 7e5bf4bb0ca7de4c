package dev.safeload.model;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A huge file that exists only as its first and last bytes, zeros between: for tests that a
 * check of a 2 GiB model reads its header and not its data. It counts the bytes read.
 */
public final class SparseSource implements ModelSource {

    private final String name;
    private final long size;
    private final byte[] prefix;
    private final byte[] suffix;
    private final AtomicLong bytesRead = new AtomicLong();

    public SparseSource(String name, long size, byte[] prefix, byte[] suffix) {
        this.name = name;
        this.size = size;
        this.prefix = prefix;
        this.suffix = suffix;
    }

    /** {@code prefix} followed by zeros up to {@code size} bytes. */
    public SparseSource(String name, long size, byte[] prefix) {
        this(name, size, prefix, new byte[0]);
    }

    /** How many bytes the checks read so far. */
    public long bytesRead() {
        return bytesRead.get();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public int read(long position, byte[] buffer, int offset, int len) {
        if (position >= size) {
            return -1;
        }
        int n = (int) Math.min(len, size - position);
        long suffixStart = size - suffix.length;
        for (int i = 0; i < n; i++) {
            long p = position + i;
            buffer[offset + i] = p < prefix.length ? prefix[(int) p] : p >= suffixStart ? suffix[(int) (p - suffixStart)] : 0;
        }
        bytesRead.addAndGet(n);
        return n;
    }

    @Override
    public Path directory() {
        return null;
    }
}
