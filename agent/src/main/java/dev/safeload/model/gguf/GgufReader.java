package dev.safeload.model.gguf;

import dev.safeload.model.ModelSource;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Little-endian, forward-only reads of a GGUF header through a small buffer. Every length is
 * checked against the file size before anything is allocated or skipped, so a lying length
 * becomes a {@link GgufFormatException}, never a large allocation.
 */
final class GgufReader {

    private static final int BUFFER = 64 * 1024;

    private final ModelSource source;
    private final long size;
    private final byte[] buffer = new byte[BUFFER];
    private long bufferStart;
    private int bufferLength;
    private long position;

    GgufReader(ModelSource source) throws IOException {
        this.source = source;
        this.size = source.size();
    }

    long position() {
        return position;
    }

    long size() {
        return size;
    }

    long remaining() {
        return size - position;
    }

    int u8() throws IOException {
        ensure(1);
        return buffer[(int) (position++ - bufferStart)] & 0xFF;
    }

    long u32() throws IOException {
        ensure(4);
        int at = (int) (position - bufferStart);
        position += 4;
        return (buffer[at] & 0xFFL) | (buffer[at + 1] & 0xFFL) << 8 | (buffer[at + 2] & 0xFFL) << 16
                | (buffer[at + 3] & 0xFFL) << 24;
    }

    /** An unsigned 64-bit value; one above {@code Long.MAX_VALUE} is refused, as no file is that big. */
    long u64(String what) throws IOException {
        ensure(8);
        int at = (int) (position - bufferStart);
        long v = 0;
        for (int i = 7; i >= 0; i--) {
            v = (v << 8) | (buffer[at + i] & 0xFF);
        }
        position += 8;
        if (v < 0) {
            throw new GgufFormatException("gguf.length", position - 8, what + " " + Long.toUnsignedString(v)
                    + " is larger than any file");
        }
        return v;
    }

    /** A count or length: 32-bit in GGUF v1, 64-bit from v2 on. */
    long length(int version, String what) throws IOException {
        return version == 1 ? u32() : u64(what);
    }

    void skip(long n, String what) throws IOException {
        if (n < 0 || n > remaining()) {
            throw new GgufFormatException("gguf.length", position, what + " of " + n + " bytes runs past the end"
                    + " of the file (" + remaining() + " bytes left)");
        }
        position += n;
    }

    /** Reads {@code n} bytes (the caller has capped {@code n}) as strict UTF-8. */
    String utf8(int n, String what) throws IOException {
        if (n > remaining()) {
            throw new GgufFormatException("gguf.length", position, what + " of " + n + " bytes runs past the end"
                    + " of the file (" + remaining() + " bytes left)");
        }
        byte[] bytes = bytes(n);
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new GgufFormatException("gguf.string", position - n, what + " is not valid UTF-8");
        }
    }

    /** Reads {@code n} raw bytes, {@code n} no larger than the buffer. */
    byte[] bytes(int n) throws IOException {
        byte[] out = new byte[n];
        int done = 0;
        while (done < n) {
            int chunk = Math.min(n - done, BUFFER);
            ensure(chunk);
            System.arraycopy(buffer, (int) (position - bufferStart), out, done, chunk);
            position += chunk;
            done += chunk;
        }
        return out;
    }

    private void ensure(int n) throws IOException {
        if (position >= bufferStart && position + n <= bufferStart + bufferLength) {
            return;
        }
        if (n > remaining()) {
            throw new GgufFormatException("gguf.truncated", position, "file ends inside the header");
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
            throw new GgufFormatException("gguf.truncated", position, "file ends inside the header");
        }
    }
}
