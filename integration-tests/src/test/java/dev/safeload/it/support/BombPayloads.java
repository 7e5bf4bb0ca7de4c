package dev.safeload.it.support;

import com.thoughtworks.xstream.XStream;
import dev.safeload.it.victim.RpcVictim;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Graphs whose hashing never ends, and their benign and deep kin, written by XStream, Kryo and
 * Hessian's own writers (which track references by identity and hash nothing). Each is built
 * so that the test JVM never hashes it either.
 */
public final class BombPayloads {

    private BombPayloads() {
    }

    /**
     * SerialDOS's {@code HashSet} bomb: at each of {@code depth} levels two sets both holding the
     * two sets of the level below, so {@code hashCode} walks 2^depth paths. Each set is added
     * while still empty or holding one string, so building it hashes nothing deep.
     */
    @SuppressWarnings("unchecked")
    public static Set<Object> hashSetBomb(int depth) {
        return (Set<Object>) Payloads.hashSetBomb(depth); // the stream guard's bomb, sent through the document readers
    }

    /**
     * Lists holding {@code fan} references to the list below, {@code levels} deep, the top one
     * in a {@code HashSet}: hashing it walks fan^levels paths. The top list goes into the set
     * while it is empty.
     */
    public static Set<Object> listFanOut(int fan, int levels) {
        List<Object> level = new ArrayList<>();
        for (int i = 0; i < fan; i++) {
            level.add("leaf-" + i);
        }
        for (int k = 1; k < levels; k++) {
            List<Object> next = new ArrayList<>();
            for (int i = 0; i < fan; i++) {
                next.add(level);
            }
            level = next;
        }
        Set<Object> root = new HashSet<>();
        List<Object> top = new ArrayList<>();
        root.add(top);
        for (int i = 0; i < fan; i++) {
            top.add(level);
        }
        return root;
    }

    /**
     * A benign graph with ordinary sharing: one DTO referred to {@code times} times from a list,
     * and one small list of tags the value of {@code times} map entries.
     */
    public static List<Object> sharedDto(Object dto, int times) {
        List<Object> tags = new ArrayList<>(List.of("priority", "eu-west", "retail"));
        Map<String, Object> byKey = new HashMap<>();
        List<Object> graph = new ArrayList<>();
        for (int i = 0; i < times; i++) {
            graph.add(dto);
            byKey.put("k" + i, tags);
        }
        graph.add(byKey);
        return graph;
    }

    /**
     * A {@code HashSet} of {@code count} two-integer lists {@code [x, 12345 - 31x]}, which share
     * one hash code and, lists being unordered to a {@code HashMap}'s tree bins, cost each
     * insertion a walk past every earlier one: the reader's CPU grows with the square of the count,
     * while no back-reference is involved. The lists go in holding {@code [x, 0]} and are
     * changed after, so building the set here hashes nothing alike.
     *
     * @param distinct true for the benign kin: the same lists and bytes, {@code [x, 31x]}, all hash codes apart
     */
    public static Set<Object> listKeys(int count, boolean distinct) {
        Set<Object> set = new HashSet<>();
        listKeys(count, distinct, (key, x) -> set.add(key));
        return set;
    }

    /** {@link #listKeys}' lists, each handed to {@code add} with its x before it is changed. */
    public static void listKeys(int count, boolean distinct, java.util.function.ObjIntConsumer<List<Integer>> add) {
        List<List<Integer>> keys = new ArrayList<>();
        for (int x = 0; x < count; x++) {
            List<Integer> key = new ArrayList<>(List.of(x, 0));
            add.accept(key, x);
            keys.add(key);
        }
        for (int x = 0; x < count; x++) {
            keys.get(x).set(1, distinct ? 31 * x : 12345 - 31 * x);
        }
    }

    /** Lists nested {@code depth} deep, the innermost holding one string. */
    public static List<Object> nested(int depth) {
        List<Object> inner = new ArrayList<>(List.of("bottom"));
        for (int i = 1; i < depth; i++) {
            List<Object> outer = new ArrayList<>();
            outer.add(inner);
            inner = outer;
        }
        return inner;
    }

    /** XStream's XML of {@code value}, in its default XPath-relative reference mode or its ID mode. */
    public static byte[] xstream(Object value, boolean idReferences) {
        XStream xstream = new XStream();
        if (idReferences) {
            xstream.setMode(XStream.ID_REFERENCES);
        }
        // Compact: indented, 20,000 nested lists would be 800 MB of spaces.
        return onLargeStack(() -> {
            java.io.StringWriter out = new java.io.StringWriter();
            xstream.marshal(value, new com.thoughtworks.xstream.io.xml.CompactWriter(out));
            return out.toString();
        }).getBytes(StandardCharsets.UTF_8);
    }

    /** Kryo bytes of {@code value}, written as the victim's Kryo (references on) writes them. */
    public static byte[] kryo(Object value) {
        return onLargeStack(() -> RpcPayloads.kryo(RpcVictim.kryo(), value));
    }

    public static byte[] hessian(Object value) {
        return onLargeStack(() -> {
            try {
                return RpcPayloads.hessian(value);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /** Hessian 1 bytes, as {@code HessianOutput} writes them (back-references are {@code R} and an int). */
    public static byte[] hessian1(Object value) {
        return onLargeStack(() -> {
            try {
                java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
                com.caucho.hessian.io.HessianOutput out = new com.caucho.hessian.io.HessianOutput(bytes);
                out.writeObject(value);
                out.close();
                return bytes.toByteArray();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /**
     * Kryo bytes of an {@code Object[]} or {@code String[]} claiming {@code length} elements and
     * carrying none: its class, Kryo's "new object" reference marker, and the length plus one, as
     * {@code ObjectArraySerializer} and {@code StringArraySerializer} write them.
     */
    public static byte[] kryoArrayClaim(Class<?> arrayClass, int length) {
        com.esotericsoftware.kryo.Kryo kryo = RpcVictim.kryo();
        com.esotericsoftware.kryo.io.Output out = new com.esotericsoftware.kryo.io.Output(64, -1);
        kryo.writeClass(out, arrayClass);
        out.writeVarInt(1, true); // Kryo.NOT_NULL: a new object, not a back-reference
        out.writeVarInt(length + 1, true);
        return out.toBytes();
    }

    /**
     * Hessian bytes that claim what they do not hold: {@code "array"}, a typed fixed-length list
     * {@code [int} of {@code length} elements (Hessian 2's {@code V}, type, length), or Hessian 1's
     * ({@code writeListBegin}), with no element after; {@code "fields"}, a Hessian 2 object
     * definition of {@code java.util.HashMap} with {@code length} fields and no field name.
     */
    public static byte[] hessianClaim(String form, int length) {
        try {
            java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
            if (form.equals("array1")) {
                com.caucho.hessian.io.HessianOutput v1 = new com.caucho.hessian.io.HessianOutput(bytes);
                v1.writeListBegin(length, "[int");
                v1.flush();
                return bytes.toByteArray();
            }
            bytes.write(form.equals("fields") ? 'C' : 'V');
            com.caucho.hessian.io.Hessian2Output out = new com.caucho.hessian.io.Hessian2Output(bytes);
            out.writeString(form.equals("fields") ? "java.util.HashMap" : "[int");
            out.writeInt(length);
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The writers recurse per level: a deep document is written on a thread with a large stack. */
    private static <T> T onLargeStack(Supplier<T> write) {
        Object[] out = new Object[1];
        Throwable[] failure = new Throwable[1];
        Thread thread = new Thread(null, () -> {
            try {
                out[0] = write.get();
            } catch (RuntimeException | Error e) {
                failure[0] = e;
            }
        }, "payload-writer", 1L << 30);
        thread.start();
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        if (failure[0] != null) {
            throw new IllegalStateException("the writer failed", failure[0]);
        }
        @SuppressWarnings("unchecked")
        T result = (T) out[0];
        return result;
    }
}
