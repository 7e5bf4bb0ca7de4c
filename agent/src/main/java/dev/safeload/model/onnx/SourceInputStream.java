package dev.safeload.model.onnx;

import dev.safeload.model.ModelSource;
import java.io.IOException;
import java.io.InputStream;

/**
 * A source as a stream whose {@link #skip} is a seek: protobuf's reader skips unread fields
 * (tensor {@code raw_data}) through it, so inline weights are never read.
 */
final class SourceInputStream extends InputStream {

    private final ModelSource source;
    private final long size;
    private long position;

    SourceInputStream(ModelSource source) throws IOException {
        this.source = source;
        this.size = source.size();
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) <= 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] buffer, int offset, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        if (position >= size) {
            return -1;
        }
        int n = source.read(position, buffer, offset, (int) Math.min(len, size - position));
        if (n > 0) {
            position += n;
        }
        return n;
    }

    @Override
    public long skip(long n) {
        long skipped = Math.max(0, Math.min(n, size - position));
        position += skipped;
        return skipped;
    }
}
