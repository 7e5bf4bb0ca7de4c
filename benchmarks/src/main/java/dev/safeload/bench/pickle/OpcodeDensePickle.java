package dev.safeload.bench.pickle;

import dev.safeload.model.pickle.PickleOp;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Opcode-dense pickles, as the agent's {@code OpcodeDenseInputTest} builds them: one list that
 * chunks of 1,000 small opcodes (ints, short strings, memo gets, floats, tuples; about 3 bytes
 * per opcode) are appended to, so the stack and memo stay small however long the pickle is.
 */
public final class OpcodeDensePickle {

    private OpcodeDensePickle() {
    }

    /** A pickle of at least {@code bytes} bytes, in memory. */
    public static byte[] ofSize(long bytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream((int) bytes + 64);
        try {
            write(out, bytes);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return out.toByteArray();
    }

    /** Writes a pickle of at least {@code bytes} bytes; returns the count written. */
    public static long write(OutputStream out, long bytes) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        head.write(PickleOp.PROTO.code);
        head.write(4);
        head.write(PickleOp.EMPTY_LIST.code);
        str(head, "key");
        head.write(PickleOp.MEMOIZE.code);
        head.write(PickleOp.POP.code);
        byte[] chunk = chunk();
        long n = head.size();
        head.writeTo(out);
        while (n < bytes) {
            out.write(chunk);
            n += chunk.length;
        }
        out.write(PickleOp.STOP.code);
        return n + 1;
    }

    private static byte[] chunk() {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(PickleOp.MARK.code);
        for (int i = 0; i < 1000; i++) {
            switch (i % 5) {
                case 0 -> {
                    b.write(PickleOp.BININT1.code);
                    b.write(i & 0xff);
                }
                case 1 -> str(b, "w" + (i % 7));
                case 2 -> {
                    b.write(PickleOp.BINGET.code);
                    b.write(0);
                }
                case 3 -> {
                    b.write(PickleOp.BINFLOAT.code);
                    long bits = Double.doubleToLongBits(i);
                    for (int k = 0; k < 8; k++) {
                        b.write((int) (bits >>> (8 * k)));
                    }
                }
                default -> {
                    b.write(PickleOp.BININT1.code);
                    b.write(1);
                    b.write(PickleOp.BININT1.code);
                    b.write(2);
                    b.write(PickleOp.TUPLE2.code);
                }
            }
        }
        b.write(PickleOp.APPENDS.code);
        return b.toByteArray();
    }

    private static void str(ByteArrayOutputStream b, String s) {
        byte[] u = s.getBytes(StandardCharsets.UTF_8);
        b.write(PickleOp.SHORT_BINUNICODE.code);
        b.write(u.length);
        b.writeBytes(u);
    }
}
