package dev.safeload.model.read;

import dev.safeload.model.ModelSource;
import java.io.IOException;

/**
 * The protobuf wire format, read from a {@link ModelSource} for the ONNX walker and TensorFlow's
 * graph reader: tags, varints, length-delimited limits and skips. The rules are those of
 * protobuf-java's {@code CodedInputStream} over a stream, which this replaced (its class and four
 * decoders were read, defined and verified at the first ONNX load, usually the host's start; and
 * protobuf-java was 208 of the agent jar's entries, which the JVM indexes at every start): a field
 * number of 0, a varint longer than 10 bytes, a wire type of 6 or 7, a negative
 * length, a submessage longer than the one around it, and any read past the end of the file or of
 * the current submessage are malformed. As there, the end of the file also ends a submessage, and
 * a skipped field is never read: {@code raw_data} costs a seek.
 */
public final class WireReader {

    public static final int VARINT = 0;
    public static final int FIXED64 = 1;
    public static final int LENGTH_DELIMITED = 2;
    public static final int START_GROUP = 3;
    public static final int END_GROUP = 4;
    public static final int FIXED32 = 5;

    /** Groups nested deeper than this are malformed, as under protobuf's default recursion limit. */
    public static final int MAX_GROUP_DEPTH = 100;

    private final ModelSource source;
    private final long size;
    private final byte[] buffer;
    /** The file offset of buffer[0]. */
    private long bufferStart;
    private int buffered;
    private long position;
    /** The end of the current submessage; the file's size at the top. */
    private long limit;
    private int lastTag;

    public WireReader(ModelSource source, int bufferSize) throws IOException {
        this.source = source;
        this.size = source.size();
        this.buffer = new byte[bufferSize];
        this.limit = Long.MAX_VALUE;
    }

    /** Bytes read or skipped so far: where the reader is in the file. */
    public long position() {
        return position;
    }

    /** True at the end of the current submessage or of the file. */
    public boolean isAtEnd() {
        return position >= limit || position >= size;
    }

    /** The next field's tag, or 0 at the end of the current submessage or of the file. */
    public int readTag() throws IOException {
        if (isAtEnd()) {
            lastTag = 0;
            return 0;
        }
        lastTag = readRawVarint32();
        if (lastTag >>> 3 == 0) {
            throw new WireFormatException("Protocol message contained an invalid tag (zero).");
        }
        return lastTag;
    }

    /** A varint of up to 10 bytes, its low 32 bits. */
    public int readRawVarint32() throws IOException {
        int result = 0;
        for (int i = 0; i < 10; i++) {
            int b = readRawByte();
            if (i < 5) {
                result |= (b & 0x7F) << (7 * i);
            }
            if ((b & 0x80) == 0) {
                return result;
            }
        }
        throw malformedVarint();
    }

    /** An enum's value: a varint. */
    public int readEnum() throws IOException {
        return readRawVarint32();
    }

    /** {@code length} bytes, within the current submessage and the file. */
    public byte[] readRawBytes(int length) throws IOException {
        if (length < 0) {
            throw negativeSize();
        }
        if (length > end() - position) {
            throw truncated();
        }
        byte[] out = new byte[length];
        for (int done = 0; done < length; ) {
            fill();
            int n = Math.min(length - done, (int) (bufferStart + buffered - position));
            System.arraycopy(buffer, (int) (position - bufferStart), out, done, n);
            done += n;
            position += n;
        }
        return out;
    }

    /**
     * Skips the field whose tag was just read. An end-group tag outside a group is malformed (in
     * protobuf-java 4 as here); inside one being skipped it ends that group.
     */
    public boolean skipField(int tag) throws IOException {
        return skipField(tag, 0);
    }

    private boolean skipField(int tag, int depth) throws IOException {
        switch (tag & 7) {
            case VARINT -> {
                for (int i = 0; ; i++) {
                    if (i == 10) {
                        throw malformedVarint();
                    }
                    if ((readRawByte() & 0x80) == 0) {
                        return true;
                    }
                }
            }
            case FIXED64 -> {
                skipRawBytes(8);
                return true;
            }
            case LENGTH_DELIMITED -> {
                skipRawBytes(readRawVarint32());
                return true;
            }
            case START_GROUP -> {
                if (depth >= MAX_GROUP_DEPTH) {
                    throw new WireFormatException("Protocol message had too many levels of nesting.");
                }
                int inner;
                do {
                    inner = readTag();
                } while (inner != 0 && skipField(inner, depth + 1));
                if (lastTag != ((tag >>> 3) << 3 | END_GROUP)) {
                    throw new WireFormatException("Protocol message end-group tag did not match expected tag.");
                }
                return true;
            }
            case END_GROUP -> {
                if (depth == 0) { // only a group being skipped ends here
                    throw new WireFormatException("Protocol message end-group tag did not match expected tag.");
                }
                return false;
            }
            case FIXED32 -> {
                skipRawBytes(4);
                return true;
            }
            default -> throw new WireFormatException("Protocol message tag had invalid wire type.");
        }
    }

    /** Starts a submessage of {@code length} bytes; the limit to hand back to {@link #popLimit}. */
    public long pushLimit(int length) throws IOException {
        if (length < 0) {
            throw negativeSize();
        }
        long old = limit;
        long next = position + length;
        if (next > old) {
            throw truncated();
        }
        limit = next;
        return old;
    }

    public void popLimit(long old) {
        limit = old;
    }

    private void skipRawBytes(int length) throws IOException {
        if (length < 0) {
            throw negativeSize();
        }
        if (length > end() - position) {
            throw truncated();
        }
        position += length;
    }

    private int readRawByte() throws IOException {
        if (position >= end()) {
            throw truncated();
        }
        fill();
        return buffer[(int) (position++ - bufferStart)] & 0xFF;
    }

    /** Makes the buffer hold the byte at {@link #position}, which is inside the file. */
    private void fill() throws IOException {
        if (position >= bufferStart && position < bufferStart + buffered) {
            return;
        }
        int n = source.read(position, buffer, 0, (int) Math.min(buffer.length, size - position));
        if (n <= 0) {
            throw truncated();
        }
        bufferStart = position;
        buffered = n;
    }

    private long end() {
        return Math.min(limit, size);
    }

    private static WireFormatException truncated() {
        return new WireFormatException("While parsing a protocol message, the input ended unexpectedly in the middle"
                + " of a field.  This could mean either that the input has been truncated or that an embedded message"
                + " misreported its own length.");
    }

    private static WireFormatException negativeSize() {
        return new WireFormatException("CodedInputStream encountered an embedded string or message which claimed to"
                + " have negative size.");
    }

    private static WireFormatException malformedVarint() {
        return new WireFormatException("CodedInputStream encountered a malformed varint.");
    }
}
