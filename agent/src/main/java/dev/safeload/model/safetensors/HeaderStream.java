package dev.safeload.model.safetensors;

import dev.safeload.model.ModelSource;
import java.io.IOException;
import java.io.InputStream;

/** The bytes {@code [start, end)} of a source as a stream, so a large header is parsed without holding it. */
final class HeaderStream extends InputStream {

    private final ModelSource source;
    private final long end;
    private long position;

    HeaderStream(ModelSource source, long start, long end) {
        this.source = source;
        this.position = start;
        this.end = end;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] buffer, int offset, int len) throws IOException {
        if (position >= end) {
            return -1;
        }
        int n = source.read(position, buffer, offset, (int) Math.min(len, end - position));
        if (n > 0) {
            position += n;
        }
        return n;
    }
}
