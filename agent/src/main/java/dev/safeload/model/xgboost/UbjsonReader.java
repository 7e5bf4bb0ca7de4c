package dev.safeload.model.xgboost;

import dev.safeload.model.ModelSource;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Walks a UBJSON document (XGBoost's {@code .ubj} model format, and its default since 2.1) to
 * the end, reporting every container and scalar to a {@link ModelDocument}. Big-endian numbers,
 * keys without the {@code S} marker, optimized containers ({@code $type #count}, as XGBoost
 * writes its node arrays). Anything else is a {@link Malformed} with its offset.
 */
final class UbjsonReader {

    /** Thrown for bytes that are not UBJSON as XGBoost writes it, with the offset. */
    static final class Malformed extends Exception {
        Malformed(String message) {
            super(message);
        }
    }

    static final int MAX_DEPTH = 64;
    private static final int BUFFER = 64 * 1024;

    private final ModelSource source;
    private final long size;
    private final byte[] buf = new byte[BUFFER];
    private long bufStart;
    private int bufLen;
    private long pos;

    private UbjsonReader(ModelSource source) throws IOException {
        this.source = source;
        this.size = source.size();
    }

    /** Reads the one document {@code source} holds; bytes after it are malformed. */
    static void read(ModelSource source, ModelDocument doc) throws IOException, Malformed {
        UbjsonReader r = new UbjsonReader(source);
        int type = r.marker();
        if (type != '{') {
            throw new Malformed("the document is not an object");
        }
        r.value(type, "", 0, doc);
        if (r.pos != r.size) {
            throw new Malformed((r.size - r.pos) + " bytes after the document at offset " + r.pos);
        }
    }

    /** One value of {@code type}; {@code key} is its key in an object, null in an array. */
    private void value(int type, String key, int depth, ModelDocument doc) throws IOException, Malformed {
        switch (type) {
            case '{' -> object(key, depth, doc);
            case '[' -> array(key, depth, doc);
            case 'S', 'H' -> doc.scalar(key, string());
            case 'C' -> doc.scalar(key, (char) u8());
            case 'T' -> doc.scalar(key, Boolean.TRUE);
            case 'F' -> doc.scalar(key, Boolean.FALSE);
            case 'Z' -> doc.scalar(key, "null");
            case 'i', 'U', 'I', 'l', 'L' -> doc.scalar(key, integer(type));
            case 'd' -> doc.scalar(key, Float.intBitsToFloat((int) bigEndian(4)));
            case 'D' -> doc.scalar(key, Double.longBitsToDouble(bigEndian(8)));
            default -> throw new Malformed("unknown type marker 0x" + Integer.toHexString(type) + " at offset " + (pos - 1));
        }
    }

    private void object(String key, int depth, ModelDocument doc) throws IOException, Malformed {
        if (depth >= MAX_DEPTH) {
            throw new Malformed("nested deeper than " + MAX_DEPTH + " at offset " + pos);
        }
        doc.begin(key, true);
        int[] header = containerHeader();
        long count = header[1] >= 0 ? countValue(header[1]) : -1;
        for (long i = 0; count < 0 || i < count; i++) {
            if (count < 0 && peek() == '}') {
                pos++;
                break;
            }
            String name = new String(bytes(length(marker())), StandardCharsets.UTF_8);
            value(header[0] >= 0 ? header[0] : marker(), name, depth + 1, doc);
        }
        doc.end();
    }

    private void array(String key, int depth, ModelDocument doc) throws IOException, Malformed {
        if (depth >= MAX_DEPTH) {
            throw new Malformed("nested deeper than " + MAX_DEPTH + " at offset " + pos);
        }
        doc.begin(key, false);
        int[] header = containerHeader();
        long count = header[1] >= 0 ? countValue(header[1]) : -1;
        for (long i = 0; count < 0 || i < count; i++) {
            if (count < 0 && peek() == ']') {
                pos++;
                break;
            }
            value(header[0] >= 0 ? header[0] : marker(), null, depth + 1, doc);
        }
        doc.end();
    }

    /** {@code [$type][#count]}: {type or -1, count marker or -1}; a type needs a count. */
    private int[] containerHeader() throws IOException, Malformed {
        int type = -1;
        int count = -1;
        if (peek() == '$') {
            pos++;
            type = marker();
            if (type == '{' || type == '[') {
                throw new Malformed("container of containers as an optimized type at offset " + (pos - 1));
            }
            if (peek() != '#') {
                throw new Malformed("optimized container type without a count at offset " + pos);
            }
        }
        if (peek() == '#') {
            pos++;
            count = marker();
        }
        return new int[] {type, count};
    }

    private long countValue(int marker) throws IOException, Malformed {
        long n = length(marker);
        if (n > size - pos) {
            throw new Malformed("container of " + n + " elements in " + (size - pos) + " bytes at offset " + pos);
        }
        return n;
    }

    private String string() throws IOException, Malformed {
        return new String(bytes(length(marker())), StandardCharsets.UTF_8);
    }

    private long length(int marker) throws IOException, Malformed {
        if (marker != 'i' && marker != 'U' && marker != 'I' && marker != 'l' && marker != 'L') {
            throw new Malformed("a length that is not an integer (marker 0x" + Integer.toHexString(marker)
                    + ") at offset " + (pos - 1));
        }
        long n = integer(marker);
        if (n < 0 || n > size - pos) {
            throw new Malformed("length " + n + " beyond the " + (size - pos) + " bytes left at offset " + pos);
        }
        return n;
    }

    private long integer(int marker) throws IOException, Malformed {
        return switch (marker) {
            case 'i' -> (byte) u8();
            case 'U' -> u8();
            case 'I' -> (short) bigEndian(2);
            case 'l' -> (int) bigEndian(4);
            default -> bigEndian(8);
        };
    }

    private int marker() throws IOException, Malformed {
        int m = u8();
        while (m == 'N') { // no-op
            m = u8();
        }
        return m;
    }

    private int peek() throws IOException, Malformed {
        int b = u8();
        pos--;
        return b;
    }

    private long bigEndian(int n) throws IOException, Malformed {
        long v = 0;
        for (int i = 0; i < n; i++) {
            v = v << 8 | u8();
        }
        return v;
    }

    private byte[] bytes(long n) throws IOException, Malformed {
        if (n > Integer.MAX_VALUE - 8) {
            throw new Malformed("string of " + n + " bytes at offset " + pos);
        }
        byte[] out = new byte[(int) n];
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) u8();
        }
        return out;
    }

    private int u8() throws IOException, Malformed {
        if (pos < bufStart || pos >= bufStart + bufLen) {
            if (pos >= size) {
                throw new Malformed("ends inside a value at offset " + pos);
            }
            bufStart = pos;
            bufLen = Math.max(0, source.read(pos, buf, 0, (int) Math.min(BUFFER, size - pos)));
            if (bufLen == 0) {
                throw new Malformed("cannot read at offset " + pos);
            }
        }
        return buf[(int) (pos++ - bufStart)] & 0xff;
    }
}
