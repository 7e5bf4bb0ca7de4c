package dev.safeload.model.javaserial;

import dev.safeload.model.ModelSource;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.UTFDataFormatException;

/**
 * Big-endian, forward-only reads of a serialization stream through a small buffer, with the
 * stream's byte budget enforced. Reads past the end become {@link StreamStop}, never
 * allocations: the only buffers made are for names, at most 64 KiB each.
 */
final class StreamBytes {

    private static final int BUFFER = 64 * 1024;

    private final ModelSource source;
    private final long size;
    private final long maxBytes;
    private final byte[] buffer = new byte[BUFFER];
    private long bufferStart;
    private int bufferLength;
    private long position;

    StreamBytes(ModelSource source, long maxBytes) throws IOException {
        this.source = source;
        this.size = source.size();
        this.maxBytes = maxBytes;
    }

    long position() {
        return position;
    }

    boolean atEnd() {
        return position >= size;
    }

    long remaining() {
        return size - position;
    }

    int peek() throws IOException {
        ensure(1);
        return buffer[(int) (position - bufferStart)] & 0xFF;
    }

    int u8() throws IOException {
        ensure(1);
        return buffer[(int) (position++ - bufferStart)] & 0xFF;
    }

    int u16() throws IOException {
        return u8() << 8 | u8();
    }

    int s32() throws IOException {
        return u16() << 16 | u16();
    }

    long s64() throws IOException {
        return (long) s32() << 32 | (s32() & 0xFFFFFFFFL);
    }

    /** A modified-UTF-8 string with a 16-bit length, as {@code DataInput.readUTF} reads it. */
    String utf() throws IOException {
        int length = u16();
        byte[] bytes = new byte[2 + length];
        bytes[0] = (byte) (length >> 8);
        bytes[1] = (byte) length;
        for (int i = 0; i < length; i++) {
            bytes[2 + i] = (byte) u8();
        }
        try {
            return new DataInputStream(new ByteArrayInputStream(bytes)).readUTF();
        } catch (UTFDataFormatException e) {
            throw new StreamStop("serial.malformed", position, "malformed modified UTF-8 string");
        }
    }

    void skip(long n) throws IOException {
        if (n < 0 || n > remaining()) {
            throw new StreamStop("serial.truncated", position, "stream ends inside a value of " + n + " bytes");
        }
        checkBudget(position + n);
        position += n;
    }

    private void ensure(int n) throws IOException {
        checkBudget(position + n);
        if (position >= bufferStart && position + n <= bufferStart + bufferLength) {
            return;
        }
        if (n > remaining()) {
            throw new StreamStop("serial.truncated", position, "stream ends inside an object");
        }
        bufferStart = position;
        bufferLength = 0;
        int want = (int) Math.min(BUFFER, size - position);
        while (bufferLength < want) {
            int got = source.read(bufferStart + bufferLength, buffer, bufferLength, want - bufferLength);
            if (got <= 0) {
                break;
            }
            bufferLength += got;
        }
        if (bufferLength < n) {
            throw new StreamStop("serial.truncated", position, "stream ends inside an object");
        }
    }

    private void checkBudget(long end) throws StreamStop {
        if (end > maxBytes) {
            throw new StreamStop("serial.limit.bytes", position, "stream is longer than serial.maxBytes = "
                    + maxBytes);
        }
    }
}
