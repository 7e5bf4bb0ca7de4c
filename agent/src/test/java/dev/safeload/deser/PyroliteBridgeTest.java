package dev.safeload.deser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.safeload.config.PolicyCompiler;
import dev.safeload.config.Settings;
import dev.safeload.report.LogSettings;
import dev.safeload.report.Reporter;
import dev.safeload.report.ServiceIdentity;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PyroliteBridgeTest {

    private static final String ENTRY = "net.razorvine.pickle.Unpickler.loads";
    private static final String PICKLE_EXCEPTION = "net.razorvine.pickle.PickleException";

    @TempDir
    Path dir;

    private Path log;

    private void install(String options) throws Exception {
        log = dir.resolve("v.jsonl");
        Reporter reporter = new Reporter(new LogSettings(log.toString(), 1 << 20, 1, 100, ServiceIdentity.NONE),
                new PrintStream(new ByteArrayOutputStream()));
        DeserializerGate.install(new DeserializerGate(
                PolicyCompiler.compile(Settings.resolve(options, new Properties(), Map.of())), reporter));
    }

    @AfterEach
    void uninstall() {
        DeserializerGate.install(null);
    }

    private static Throwable check(InputStream in, int length) {
        return PyroliteBridge.checkLength("pyrolite", ENTRY, in, length, PyroliteBridgeTest.class, PICKLE_EXCEPTION);
    }

    private List<JsonNode> events() throws Exception {
        ObjectMapper json = new ObjectMapper();
        return Files.exists(log) ? Files.readAllLines(log).stream().map(l -> {
            try {
                return json.readTree(l);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }).filter(e -> "alert".equals(e.path("event.kind").asText())).toList() : List.of();
    }

    @Test
    void refusesALengthTheInMemoryPickleCannotBack() throws Exception {
        install("mode=enforce");
        Throwable refused = check(new ByteArrayInputStream(new byte[2]), Integer.MAX_VALUE);
        assertTrue(refused.getMessage().startsWith("safeload: refused [B (rule serial.maxAlloc: length 2147483647 > 2"
                + " bytes left in the pickle)"), refused::getMessage);
        JsonNode event = events().get(0);
        assertEquals("serial.maxAlloc", event.path("rule.name").asText());
        assertEquals(2147483647L, event.path("safeload.array_length").asLong());
        assertEquals("pyrolite", event.path("safeload.library").asText());
    }

    @Test
    void passesALengthTheDataBacksAndEveryShortOne() throws Exception {
        install("mode=enforce");
        assertNull(check(new ByteArrayInputStream(new byte[200_000]), 200_000));
        assertNull(check(new ByteArrayInputStream(new byte[0]), 65_535)); // below the checked size: one comparison
        assertNull(check(InputStream.nullInputStream(), 5_000_000)); // a socket may not have it yet
        assertEquals(List.of(), events());
    }

    @Test
    void refusesALengthOverMaxArrayOnAStreamWhoseSizeIsUnknown() throws Exception {
        install("mode=enforce,serial.maxArray=1000000");
        Throwable refused = check(InputStream.nullInputStream(), 1_000_001);
        assertTrue(refused.getMessage().contains("rule serial.maxArray: length 1000001 > 1000000"), refused::getMessage);
        assertNull(check(InputStream.nullInputStream(), 1_000_000));
    }

    @Test
    void logsButPassesInAuditMode() throws Exception {
        install("mode=audit");
        assertNull(check(new ByteArrayInputStream(new byte[2]), Integer.MAX_VALUE));
        assertEquals("audit", events().get(0).path("event.action").asText());
    }

    @Test
    void checksNothingInOffMode() throws Exception {
        install("mode=off");
        assertNull(check(new ByteArrayInputStream(new byte[2]), Integer.MAX_VALUE));
        assertEquals(List.of(), events());
    }

    /** A stack as Pyrolite's holds it at a SETITEMS: the dict, the mark, then keys and values in turn. */
    private static Throwable setItems(Object unpickler, List<?> keys) {
        Object mark = new Object();
        List<Object> stack = new java.util.ArrayList<>();
        stack.add(new java.util.HashMap<>());
        stack.add(mark);
        for (Object key : keys) {
            stack.add(key);
            stack.add(1);
        }
        return PyroliteBridge.opcode("pyrolite", ENTRY, unpickler, (short) 'u', stack, mark, null, PyroliteBridgeTest.class,
                PICKLE_EXCEPTION);
    }

    /** Two-integer lists {@code [x, 12345 - 31x]}: one hash code, and lists do not compare. */
    private static List<Object> collidingLists(int count) {
        List<Object> keys = new java.util.ArrayList<>();
        for (int x = 0; x < count; x++) {
            keys.add(List.of(x, 12345 - 31 * x));
        }
        return keys;
    }

    @Test
    void refusesOneOpcodeInsertingMoreThan64KeysWithOneHashCode() throws Exception {
        install("mode=enforce");
        Throwable refused = setItems(new Object(), collidingLists(65));
        assertTrue(refused.getMessage().startsWith("safeload: refused dict (rule serial.maxWork: 65 keys of one dict"
                + " share the hash code 13306, more than the 64 one opcode may insert"), refused::getMessage);
        assertEquals("serial.maxWork", events().get(0).path("rule.name").asText());
        assertNull(setItems(new Object(), collidingLists(64)));
    }

    /** Strings with one hash code compare: a HashMap bin of them is a tree, searched in log time. */
    @Test
    void passesStringKeysWithOneHashCode() throws Exception {
        install("mode=enforce");
        List<Object> keys = new java.util.ArrayList<>();
        for (int i = 0; i < 1024; i++) {
            StringBuilder key = new StringBuilder();
            for (int bit = 0; bit < 10; bit++) {
                key.append((i >> bit & 1) == 0 ? "Aa" : "BB"); // "Aa" and "BB" share a hash code, and so do these
            }
            keys.add(key.toString());
        }
        assertEquals(1, keys.stream().mapToInt(Object::hashCode).distinct().count());
        assertNull(setItems(new Object(), keys));
        assertEquals(List.of(), events());
    }

    @Test
    void refusesKeysThatReachOneListAgainAndPassesATree() throws Exception {
        install("mode=enforce");
        List<Object> shared = new java.util.ArrayList<>(List.of(7));
        List<Object> tree = new java.util.ArrayList<>(List.of(7));
        for (int i = 0; i < 30; i++) {
            shared = new java.util.ArrayList<>(List.of(shared, shared)); // 2^30 paths through 31 lists
            tree = new java.util.ArrayList<>(List.of(tree, new java.util.ArrayList<>()));
        }
        assertNull(setItems(new Object(), List.of(tree)));
        Throwable refused = setItems(new Object(), List.of(shared));
        assertTrue(refused.getMessage().contains("(rule serial.maxWork: the keys this document hashes reach shared"
                + " objects again: hashing them visits "), refused::getMessage);
    }

    /** One large list under many keys of one opcode: each key's hashCode walks it again. */
    @Test
    void refusesManyKeysHoldingOneLargeList() throws Exception {
        install("mode=enforce");
        List<Object> large = new java.util.ArrayList<>(java.util.Collections.nCopies(100_000, 1));
        List<Object> keys = new java.util.ArrayList<>();
        for (int i = 0; i < 30; i++) {
            keys.add(List.of(large, i));
        }
        // 30 keys: 2.9 million visits more than the 100,030 objects held, past serial.maxWork's 2.5 million.
        Throwable refused = setItems(new Object(), keys);
        assertTrue(refused.getMessage().contains("hashing them visits 2900000 objects more than the document holds"),
                refused::getMessage);
        // 20 keys, 1.9 million, pass; a second batch of them in the same load adds up past the limit.
        Object unpickler = new Object();
        assertNull(setItems(unpickler, keys.subList(0, 20)));
        refused = setItems(unpickler, keys.subList(0, 20));
        assertTrue(refused.getMessage().contains("(rule serial.maxWork: the keys this document hashes"), refused::getMessage);
    }

    @Test
    void refusesADecimalKeyWhoseScaleWouldMakeOneComparisonCostSeconds() throws Exception {
        install("mode=enforce");
        Throwable refused = setItems(new Object(), List.of(new java.math.BigDecimal("1E-2000000")));
        assertTrue(refused.getMessage().contains("a decimal key of this dict has the scale 2000000, past 100000"),
                refused::getMessage);
        assertNull(setItems(new Object(), List.of(new java.math.BigDecimal("1E-100000"))));
    }

    @Test
    void judgesTheListABuiltinsSetGets() throws Exception {
        install("mode=enforce");
        Throwable refused = PyroliteBridge.setElements("pyrolite", ENTRY, new Object[] {collidingLists(100)},
                PyroliteBridgeTest.class, PICKLE_EXCEPTION);
        assertTrue(refused.getMessage().startsWith("safeload: refused set (rule serial.maxWork: 100 keys of one set"),
                refused::getMessage);
        assertNull(PyroliteBridge.setElements("pyrolite", ENTRY, new Object[] {List.of(List.of(1, 2), List.of(3, 4))},
                PyroliteBridgeTest.class, PICKLE_EXCEPTION));
    }

    @Test
    void logsKeysWithOneHashCodeOnceInAuditModeAndPasses() throws Exception {
        install("mode=audit");
        Object unpickler = new Object();
        assertNull(setItems(unpickler, collidingLists(100)));
        assertNull(setItems(unpickler, collidingLists(100)));
        assertEquals(1, events().size());
        assertEquals("audit", events().get(0).path("event.action").asText());
    }

    /**
     * What Pyrolite does for a LONG: the opcode's hook ({@code dispatch}), then
     * {@code PickleUtils.readline} on the stream its hook hands back, a byte at a time up to the
     * newline. Returns the line, or throws what reading it threw.
     */
    private static String longOpcode(InputStream input) throws Exception {
        Throwable refused = PyroliteBridge.opcode("pyrolite", ENTRY, new Object(), (short) 'L', new java.util.ArrayList<>(),
                null, input, PyroliteBridgeTest.class, PICKLE_EXCEPTION);
        assertNull(refused);
        return readline(input);
    }

    /** {@code PickleUtils.readline(InputStream)} under its hook, as Pyrolite 4.30 reads a line. */
    private static String readline(InputStream input) throws Exception {
        InputStream through = (InputStream) PyroliteBridge.longLine("pyrolite", ENTRY, input, PyroliteBridgeTest.class,
                PICKLE_EXCEPTION);
        StringBuilder line = new StringBuilder();
        for (int c = through.read(); c != -1 && c != '\n'; c = through.read()) {
            line.append((char) c);
        }
        return line.toString();
    }

    /** A stream that cannot be marked, as a socket's or a file's: nothing can be looked at before Pyrolite reads it. */
    private static InputStream unmarkable(String text) {
        ByteArrayInputStream bytes = new ByteArrayInputStream(text.getBytes());
        return new InputStream() {
            @Override
            public int read() {
                return bytes.read();
            }

            @Override
            public int available() {
                return bytes.available();
            }
        };
    }

    @Test
    void refusesALongOfMoreDigitsThanCPythonReadsFromAnyStream() throws Exception {
        install("mode=enforce");
        InputStream over = unmarkable("-" + "7".repeat(4_301) + "L\n.");
        Throwable refused = org.junit.jupiter.api.Assertions.assertThrows(Throwable.class, () -> longOpcode(over));
        assertTrue(refused.getMessage().startsWith("safeload: refused java.math.BigInteger (rule serial.maxWork: a LONG of"
                + " more than 4300 digits"), refused::getMessage);
        assertEquals(2, over.available(), "read no further than the byte past the limit"); // the newline and STOP
        assertEquals(1, events().size());
        assertEquals("refuse", events().get(0).path("event.action").asText());
    }

    @Test
    void readsALongOf4300DigitsAndNothingAfterItsLine() throws Exception {
        install("mode=enforce");
        InputStream within = unmarkable("-" + "7".repeat(4_300) + "L\n.");
        assertEquals("-" + "7".repeat(4_300) + "L", longOpcode(within));
        assertEquals(1, within.available());
        assertEquals(List.of(), events());
    }

    @Test
    void leavesTheHostsMarkWhereItWas() throws Exception {
        install("mode=enforce");
        ByteArrayInputStream pickle = new ByteArrayInputStream(("x" + "7".repeat(20) + "L\n.").getBytes());
        pickle.mark(0); // the host's, before a byte it reads itself: not where the LONG starts
        assertEquals('x', pickle.read());
        assertEquals("7".repeat(20) + "L", longOpcode(pickle));
        pickle.reset();
        assertEquals('x', pickle.read());
    }

    @Test
    void boundsOnlyTheLineOfALong() throws Exception {
        install("mode=enforce");
        InputStream text = unmarkable("7".repeat(5_000) + "\n");
        assertTrue(PyroliteBridge.longLine("pyrolite", ENTRY, text, PyroliteBridgeTest.class, PICKLE_EXCEPTION) == text);
        assertEquals(5_000, readline(text).length()); // an INT's, a STRING's or a FLOAT's line: not a LONG's
        InputStream other = unmarkable("7".repeat(5_000) + "\n");
        PyroliteBridge.opcode("pyrolite", ENTRY, new Object(), (short) 'L', new java.util.ArrayList<>(), null,
                unmarkable("1L\n"), PyroliteBridgeTest.class, PICKLE_EXCEPTION);
        assertEquals(5_000, readline(other).length()); // another stream's line, not the LONG's
    }

    @Test
    void logsALongOnceInAuditModeAndReadsIt() throws Exception {
        install("mode=audit");
        assertEquals(5_000, longOpcode(unmarkable("7".repeat(5_000) + "\n.")).length());
        assertEquals(1, events().size());
        assertEquals("audit", events().get(0).path("event.action").asText());
    }

    private static Throwable decimal(String text) {
        return PyroliteBridge.constructorArguments("pyrolite", ENTRY, java.math.BigDecimal.class, new Object[] {text},
                PyroliteBridgeTest.class, PICKLE_EXCEPTION);
    }

    @Test
    void refusesADecimalOfTooManyDigitsOrTooLargeAScale() throws Exception {
        install("mode=enforce");
        assertTrue(decimal("7".repeat(4_317)).getMessage().contains("a decimal of 4317 characters"));
        assertTrue(decimal("1E-2000000").getMessage().contains("a decimal of scale 2000000, past 100000"));
        assertNull(decimal("-" + "7".repeat(4_300) + ".5E-99"));
        assertNull(decimal("not a number")); // Pyrolite's constructor fails on it itself
        assertNull(PyroliteBridge.constructorArguments("pyrolite", ENTRY, Double.class, new Object[] {"7".repeat(5_000)},
                PyroliteBridgeTest.class, PICKLE_EXCEPTION)); // only a BigDecimal is judged
    }

    @Test
    void judgesNoKeysNorTextInOffMode() throws Exception {
        install("mode=off");
        assertNull(setItems(new Object(), collidingLists(100)));
        assertEquals(5_001, longOpcode(unmarkable("7".repeat(5_000) + "L\n.")).length());
        assertNull(decimal("1E-2000000"));
        assertEquals(List.of(), events());
    }
}
