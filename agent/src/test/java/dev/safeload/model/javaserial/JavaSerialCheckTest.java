package dev.safeload.model.javaserial;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.safeload.model.Finding;
import dev.safeload.model.ModelPolicy;
import dev.safeload.model.ModelSource;
import dev.safeload.model.ScanContext;
import dev.safeload.model.Severity;
import dev.safeload.policy.ClassPatterns;
import dev.safeload.policy.Presets;
import dev.safeload.policy.SerialLimits;
import dev.safeload.policy.SerialPolicy;
import java.io.ByteArrayOutputStream;
import java.io.Externalizable;
import java.io.IOException;
import java.io.NotSerializableException;
import java.io.ObjectInput;
import java.io.ObjectOutput;
import java.io.ObjectOutputStream;
import java.io.ObjectStreamClass;
import java.io.ObjectStreamConstants;
import java.io.ObjectStreamField;
import java.io.Serializable;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.math.BigDecimal;
import java.net.URL;
import java.net.URLConnection;
import java.net.URLStreamHandler;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Random;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Streams here are only ever written and walked; nothing in these tests deserializes. */
class JavaSerialCheckTest {

    private static final String INVOKER_TRANSFORMER = "org.apache.commons.collections.functors.InvokerTransformer";
    private static final String TEST_CLASSES = "dev.safeload.model.javaserial.*";

    private final JavaSerialCheck check = new JavaSerialCheck();

    /** Stands in for a gadget class; the stream names it {@link #INVOKER_TRANSFORMER}. */
    static final class Gadget implements Serializable {
        int x = 7;
    }

    /** A class whose writeObject appends primitives and an object after its fields. */
    static final class Wrapper implements Serializable {
        String label = "w";
        transient Object extra;

        Wrapper(Object extra) {
            this.extra = extra;
        }

        private void writeObject(ObjectOutputStream out) throws IOException {
            out.defaultWriteObject();
            out.writeInt(42);
            out.writeUTF("block data");
            out.writeObject(extra);
        }
    }

    /** A class with a hand-written external form. */
    public static final class Record implements Externalizable {
        public Record() {
        }

        @Override
        public void writeExternal(ObjectOutput out) throws IOException {
            out.writeInt(1);
            out.writeObject("inside");
        }

        @Override
        public void readExternal(ObjectInput in) {
            throw new UnsupportedOperationException("never deserialized");
        }
    }

    interface Hidden {
    }

    static final class Handler implements InvocationHandler, Serializable {
        @Override
        public Object invoke(Object proxy, Method method, Object[] args) {
            return null;
        }
    }

    /** Writes class descriptors under other names, to put gadget names in a stream safely. */
    static final class RenamingOutputStream extends ObjectOutputStream {
        private final Map<String, String> renames;

        RenamingOutputStream(ByteArrayOutputStream out, Map<String, String> renames) throws IOException {
            super(out);
            this.renames = renames;
        }

        @Override
        protected void writeClassDescriptor(ObjectStreamClass desc) throws IOException {
            String renamed = renames.get(desc.getName());
            if (renamed == null) {
                super.writeClassDescriptor(desc);
                return;
            }
            writeUTF(renamed);
            writeLong(desc.getSerialVersionUID());
            writeByte(ObjectStreamConstants.SC_SERIALIZABLE);
            ObjectStreamField[] fields = desc.getFields();
            writeShort(fields.length);
            for (ObjectStreamField field : fields) {
                if (!field.isPrimitive()) {
                    throw new IllegalArgumentException("renamed test classes have primitive fields only");
                }
                writeByte(field.getTypeCode());
                writeUTF(field.getName());
            }
        }
    }

    private static byte[] serialize(Object... objects) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new RenamingOutputStream(bytes, Map.of(
                Gadget.class.getName(), INVOKER_TRANSFORMER,
                Gadget[].class.getName(), "[L" + INVOKER_TRANSFORMER + ";"))) {
            for (Object object : objects) {
                out.writeObject(object);
            }
        }
        return bytes.toByteArray();
    }

    private static SerialPolicy policy(String... extraAllow) {
        return new SerialPolicy(Presets.defaultAllow().plus(ClassPatterns.of(List.of(extraAllow))),
                Presets.gadgetDeny(), SerialLimits.DEFAULTS);
    }

    private List<Finding> check(byte[] bytes, SerialPolicy serial) throws IOException {
        assertTrue(check.sniff(bytes, bytes.length));
        return check.check(ModelSource.of("model.ser", bytes, null), context(serial));
    }

    private static ScanContext context(SerialPolicy serial) {
        ModelPolicy policy = new ModelPolicy(Set.of(), ClassPatterns.empty(), ClassPatterns.empty(), List.of(),
                Set.of(), serial);
        return new ScanContext() {
            @Override
            public ModelPolicy policy() {
                return policy;
            }

            @Override
            public List<Finding> scanNested(ModelSource inner) {
                return List.of();
            }
        };
    }

    private static boolean blocks(List<Finding> findings) {
        return findings.stream().anyMatch(f -> f.severity().compareTo(Severity.HIGH) >= 0);
    }

    private static String rules(List<Finding> findings) {
        return findings.stream().map(Finding::rule).toList().toString();
    }

    private static boolean names(List<Finding> findings, String className) {
        return findings.stream().anyMatch(f -> f.message().contains(className));
    }

    @Test
    void acceptsJdkValuesAndCollections() throws IOException {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("weights", new double[][] {{1, 2}, {3, 4}});
        map.put("ids", new ArrayList<>(List.of(1L, 2L, 3L)));
        map.put("scale", new BigDecimal("1.25"));
        map.put("long", "x".repeat(70_000));
        map.put("type", String.class);
        Integer shared = 1234;
        byte[] bytes = serialize(map, shared, shared, new int[1000], List.of("a", "b"), Arrays.asList(1, 2));
        assertEquals(List.of(), check(bytes, policy()));
    }

    @Test
    void walksResetsAndBackReferences() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            List<String> list = new ArrayList<>(List.of("a"));
            out.writeObject(list);
            out.writeObject(list);
            out.reset();
            out.writeObject(list);
            out.writeInt(5);
        }
        assertEquals(List.of(), check(bytes.toByteArray(), policy()));
    }

    @Test
    void refusesGadgetClassInsideHashMap() throws IOException {
        HashMap<String, Object> map = new HashMap<>();
        map.put("payload", new Gadget());
        List<Finding> findings = check(serialize(map), policy(TEST_CLASSES));
        assertEquals("[serial.class]", rules(findings));
        assertTrue(names(findings, INVOKER_TRANSFORMER), findings.toString());
        assertTrue(findings.get(0).message().contains("serial.deny"), findings.toString());
        assertTrue(blocks(findings));

        HashMap<String, Object> twin = new HashMap<>();
        twin.put("payload", 7);
        assertEquals(List.of(), check(serialize(twin), policy(TEST_CLASSES)));
    }

    @Test
    void refusesUrlDnsShapedHashMap() throws IOException {
        URLStreamHandler noDns = new URLStreamHandler() {
            @Override
            protected URLConnection openConnection(URL u) {
                throw new UnsupportedOperationException();
            }

            @Override
            protected int hashCode(URL u) {
                return 1; // the default would resolve the host
            }
        };
        HashMap<URL, String> map = new HashMap<>();
        map.put(new URL(null, "http://safeload-test.invalid/", noDns), "x");
        List<Finding> findings = check(serialize(map), policy());
        assertEquals("[serial.class]", rules(findings));
        assertTrue(names(findings, "java.net.URL"), findings.toString());

        HashMap<String, String> twin = new HashMap<>();
        twin.put("http://safeload-test.invalid/", "x");
        assertEquals(List.of(), check(serialize(twin), policy()));
    }

    @Test
    void refusesGadgetHiddenInWriteObjectAnnotation() throws IOException {
        List<Finding> findings = check(serialize(new Wrapper(new Gadget())), policy(TEST_CLASSES));
        assertEquals("[serial.class]", rules(findings));
        assertTrue(names(findings, INVOKER_TRANSFORMER));
        assertEquals(List.of(), check(serialize(new Wrapper("harmless")), policy(TEST_CLASSES)));
    }

    @Test
    void refusesGadgetInsideArrays() throws IOException {
        List<Finding> inObjectArray = check(serialize((Object) new Object[] {"a", new Gadget()}),
                policy(TEST_CLASSES));
        assertTrue(names(inObjectArray, INVOKER_TRANSFORMER), inObjectArray.toString());
        List<Finding> arrayClass = check(serialize((Object) new Gadget[0]), policy(TEST_CLASSES));
        assertEquals("[serial.class]", rules(arrayClass));
        assertTrue(names(arrayClass, "[L" + INVOKER_TRANSFORMER + ";"), arrayClass.toString());
    }

    @Test
    void checksEveryProxyInterface() throws IOException {
        Object proxy = Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {Runnable.class, Hidden.class}, new Handler());
        String handler = Handler.class.getName();
        List<Finding> findings = check(serialize(proxy), policy("java.lang.reflect.Proxy", "java.lang.Runnable",
                handler));
        assertEquals("[serial.class]", rules(findings));
        assertTrue(names(findings, Hidden.class.getName()), findings.toString());

        assertEquals(List.of(), check(serialize(proxy), policy("java.lang.reflect.Proxy", "java.lang.Runnable",
                handler, Hidden.class.getName())));
        assertTrue(names(check(serialize(proxy), policy()), "java.lang.reflect.Proxy"));
    }

    @Test
    void reportsUnlistedEnumWithoutBlocking() throws IOException {
        List<Finding> findings = check(serialize(new ArrayList<>(List.of(TimeUnit.SECONDS))), policy());
        assertFalse(blocks(findings), findings.toString());
    }

    @Test
    void refusesEnumFlagOnAClassThatIsNoEnum() throws IOException {
        // The descriptor keeps SC_ENUM; only the name changes, to an interface of the same length.
        byte[] bytes = serialize(new ArrayList<>(List.of(TimeUnit.SECONDS)));
        byte[] from = TimeUnit.class.getName().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] to = java.util.concurrent.Executor.class.getName().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        int at = indexOf(bytes, from);
        System.arraycopy(to, 0, bytes, at, to.length);
        List<Finding> findings = check(bytes, policy());
        assertTrue(blocks(findings), findings.toString());
        assertTrue(names(findings, "java.util.concurrent.Executor"), findings.toString());
    }

    private static int indexOf(byte[] bytes, byte[] part) {
        outer:
        for (int i = 0; i <= bytes.length - part.length; i++) {
            for (int j = 0; j < part.length; j++) {
                if (bytes[i + j] != part[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new IllegalArgumentException("not found");
    }

    @Test
    void walksExternalizableBlockData() throws IOException {
        assertEquals(List.of(), check(serialize(new Record()), policy(TEST_CLASSES)));
    }

    @Test
    void refusesProtocolOneExternalDataItCannotLayOut() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.useProtocolVersion(ObjectStreamConstants.PROTOCOL_VERSION_1);
            out.writeObject(new Record());
        }
        List<Finding> findings = check(bytes.toByteArray(), policy(TEST_CLASSES));
        assertEquals("[serial.layout]", rules(findings));
        assertTrue(blocks(findings));
    }

    @Test
    void walksTheExceptionAWriterLeftInTheStream() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            HashMap<String, Object> map = new HashMap<>();
            map.put("not serializable", new Object());
            assertThrows(NotSerializableException.class, () -> out.writeObject(map));
        }
        byte[] stream = bytes.toByteArray();
        assertEquals(List.of(), check(stream, policy("java.**")));
        assertTrue(names(check(stream, policy()), "java.io.NotSerializableException"));
    }

    @Test
    void refusesNestingPastMaxDepth() throws IOException {
        assertEquals("[serial.limit.depth]", rules(check(serialize(nested(200)), policy())));
        assertEquals(List.of(), check(serialize(nested(20)), policy()));
    }

    @Test
    void refusesArrayLongerThanMaxArray() throws IOException {
        SerialPolicy small = new SerialPolicy(Presets.defaultAllow(), Presets.gadgetDeny(),
                new SerialLimits(64, 1000, 1 << 20, 100));
        assertEquals("[serial.limit.array]", rules(check(serialize((Object) new int[101]), small)));
        assertEquals(List.of(), check(serialize((Object) new int[100]), small));
    }

    @Test
    void refusesStreamsPastTheReferenceAndByteBudgets() throws IOException {
        SerialPolicy small = new SerialPolicy(Presets.defaultAllow(), Presets.gadgetDeny(),
                new SerialLimits(64, 10, 4096, 1000));
        assertEquals("[serial.limit.refs]", rules(check(serialize(new ArrayList<>(List.of(1, 2, 3, 4, 5, 6, 7, 8,
                9, 10, 11, 12))), small)));
        assertEquals("[serial.limit.bytes]", rules(check(serialize("x".repeat(5000)), small)));
    }

    @Test
    void refusesTruncatedAndCorruptStreams() throws IOException {
        byte[] good = serialize(new HashMap<>(Map.of("k", 1)));
        List<Finding> truncated = check(Arrays.copyOf(good, good.length - 3), policy());
        assertEquals("[serial.truncated]", rules(truncated));
        assertTrue(blocks(truncated));

        byte[] badCode = good.clone();
        badCode[4] = 0x55;
        assertEquals("[serial.malformed]", rules(check(badCode, policy())));

        byte[] badReference = {(byte) 0xAC, (byte) 0xED, 0, 5, 0x71, 0, 0x7E, 0, 9};
        assertEquals("[serial.malformed]", rules(check(badReference, policy())));
    }

    @Test
    void sniffsStreamMagicOnly() {
        assertTrue(check.sniff(new byte[] {(byte) 0xAC, (byte) 0xED, 0, 5}, 4));
        assertFalse(check.sniff(new byte[] {(byte) 0xAC, (byte) 0xED, 0, 4}, 4));
        assertFalse(check.sniff(new byte[] {'P', 'K', 3, 4}, 4));
    }

    private static Object nested(int depth) {
        List<Object> list = new ArrayList<>();
        List<Object> top = list;
        for (int i = 0; i < depth; i++) {
            List<Object> inner = new ArrayList<>();
            list.add(inner);
            list = inner;
        }
        return top;
    }

    @Test
    void turnsCorruptedStreamsIntoFindingsNeverExceptions() throws IOException {
        byte[] good = serialize(new HashMap<>(Map.of("k", List.of(1, 2L, "s"))), new Wrapper(new int[3]),
                (Object) new Object[] {null, 2.5});
        Random random = new Random(20261127);
        for (int i = 0; i < 2000; i++) {
            byte[] bad = corrupt(good, random);
            int round = i;
            ScanContext context = context(policy(TEST_CLASSES));
            assertDoesNotThrow(() -> check.check(ModelSource.of("corrupt", bad, null), context),
                    () -> "corruption " + round);
        }
    }

    /** Flips a few bits or bytes of {@code good}, and sometimes cuts it short. */
    static byte[] corrupt(byte[] good, Random random) {
        byte[] bad = good.clone();
        for (int n = 1 + random.nextInt(4); n > 0; n--) {
            int at = random.nextInt(bad.length);
            bad[at] = (byte) (random.nextInt(3) == 0 ? random.nextInt(256) : bad[at] ^ 1 << random.nextInt(8));
        }
        return random.nextInt(10) == 0 ? Arrays.copyOf(bad, random.nextInt(bad.length)) : bad;
    }
}
