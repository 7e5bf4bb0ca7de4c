package dev.safeload.it.support;

import java.io.ByteArrayOutputStream;
import java.util.HashMap;
import java.util.Map;
import net.razorvine.pickle.Pickler;

/**
 * Pickles that cost Pyrolite's {@code Unpickler} more CPU than their size, and their benign kin of
 * the same shape and size. Where Pyrolite's own {@code Pickler} can write the shape it does; the
 * memo references of a hash bomb and the batches it never writes are written here opcode by
 * opcode (protocol 2, as {@code pickletools} names them).
 */
public final class PicklePayloads {

    private PicklePayloads() {
    }

    /**
     * {@code {l_depth: 1}} where {@code l_0 = [7]} and {@code l_i = [l_(i-1), l_(i-1)]}, each list
     * fetched twice from the memo ({@code LONG_BINGET}): about 20 bytes a level, and the key's
     * {@code hashCode} visits 2^depth lists.
     *
     * @param shared false for the benign kin: the same bytes a level, each level holding the one
     *     below and a fresh empty list, so nothing is reached twice
     */
    public static byte[] hashBomb(int depth, boolean shared) {
        Writer w = new Writer();
        w.op('}');
        w.op(']').op('(').binint(7).op('e').put(0);
        for (int i = 1; i <= depth; i++) {
            w.op('0').op(']').op('(').get(i - 1);
            if (shared) {
                w.get(i - 1);
            } else {
                w.op(']').op('0').op(']'); // a fresh list instead: two bytes fewer
            }
            w.op('e').put(i);
        }
        return w.binint(1).op('s').stop();
    }

    /**
     * A dict of {@code count} two-integer lists {@code [x, 12345 - 31x]}, which share one hash code,
     * each mapped to {@code x}, written by Pyrolite's {@code Pickler}: one {@code SETITEMS} that
     * inserts them all.
     *
     * @param distinct true for the benign kin: {@code [x, 31x]}, hash codes apart, the same bytes
     */
    public static byte[] listKeyDict(int count, boolean distinct) throws Exception {
        Map<Object, Object> dict = new HashMap<>();
        BombPayloads.listKeys(count, distinct, dict::put);
        return new Pickler().dumps(dict);
    }

    /** The same lists in a set, written by Pyrolite's {@code Pickler} as {@code builtins.set} of a list. */
    public static byte[] listKeySet(int count, boolean distinct) throws Exception {
        return new Pickler().dumps(BombPayloads.listKeys(count, distinct));
    }

    /**
     * The colliding lists of {@link #listKeyDict} put in {@code SETITEMS} batches of 64, so that no
     * one opcode inserts more than 64 keys with one hash code: only the load's CPU budget sees
     * that each batch walks past every key before it.
     */
    public static byte[] batchedListKeys(int count, boolean distinct) {
        Writer w = new Writer();
        w.op('}');
        for (int x = 0; x < count; x++) {
            if (x % 64 == 0) {
                w.op('(');
            }
            w.op(']').op('(').binint(x).binint(distinct ? 31 * x : 12345 - 31 * x).op('e').binint(x);
            if (x % 64 == 63 || x == count - 1) {
                w.op('u');
            }
        }
        return w.stop();
    }

    /** Protocol 0's {@code LONG} of {@code digits} sevens: an integer in decimal text, as Python 2 wrote big ints. */
    public static byte[] longText(int digits) {
        return ("L" + "7".repeat(digits) + "L\n.").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }

    /** {@code decimal.Decimal} of {@code digits} sevens, as Python's pickle writes one: the class, and its text. */
    public static byte[] decimalText(int digits) {
        Writer w = new Writer();
        w.op('c').text("decimal\nDecimal\n").op('(').op('X').int4(digits).text("7".repeat(digits)).op('t').op('R');
        return w.stop();
    }

    /** Writes opcodes: protocol 2 at the start, {@code STOP} at the end. */
    private static final class Writer {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Writer() {
            out.write(0x80);
            out.write(2);
        }

        Writer op(int opcode) {
            out.write(opcode);
            return this;
        }

        Writer text(String ascii) {
            out.writeBytes(ascii.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            return this;
        }

        Writer int4(int value) {
            for (int shift = 0; shift < 32; shift += 8) {
                out.write(value >>> shift);
            }
            return this;
        }

        Writer binint(int value) {
            return op('J').int4(value);
        }

        Writer put(int index) {
            return op('r').int4(index);
        }

        Writer get(int index) {
            return op('j').int4(index);
        }

        byte[] stop() {
            out.write('.');
            return out.toByteArray();
        }
    }
}
