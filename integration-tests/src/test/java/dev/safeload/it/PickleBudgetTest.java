package dev.safeload.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.safeload.it.support.ForkedJvm;
import dev.safeload.it.support.Jdks;
import dev.safeload.it.support.PicklePayloads;
import dev.safeload.it.support.VictimRun;
import dev.safeload.it.support.ViolationLog;
import dev.safeload.it.victim.BombVictim;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Pyrolite's {@code Unpickler} (Spark's and Pyro's Python bridge) on pickles that cost far more
 * CPU than their size, in real JVMs: a 783-byte hash bomb built from memo references; lists with
 * one hash code, inserted by one opcode or in batches; decimal text of two million digits. Each
 * is refused within two seconds of the reading thread's CPU, and without the agent is still
 * reading after 10 s; each benign kin, of the same shape, reads.
 */
class PickleBudgetTest {

    private static final int TWIN_SECONDS = 10;
    private static final int REFUSAL_SECONDS = 60;
    private static final String REFUSED = "RESULT refused net.razorvine.pickle.PickleException: safeload: refused ";

    static Stream<Jdks.Jdk> jdks() {
        return Jdks.forTests();
    }

    /** Loads {@code pickle} in a fresh JVM with {@code Unpickler.loads}; {@code agentOptions} null means no agent. */
    private static VictimRun load(Jdks.Jdk jdk, byte[] pickle, String agentOptions, int timeoutSeconds) throws Exception {
        return load(jdk, "pickle", pickle, agentOptions, timeoutSeconds);
    }

    /** {@code mode} is BombVictim's: {@code pickle} ({@code loads}) or {@code pickle-file} ({@code load} from the file). */
    private static VictimRun load(Jdks.Jdk jdk, String mode, byte[] pickle, String agentOptions, int timeoutSeconds)
            throws Exception {
        Path dir = Files.createTempDirectory("safeload-pickle-");
        Path payload = dir.resolve("document.pkl");
        Files.write(payload, pickle);
        Path log = dir.resolve("violations.jsonl");
        ForkedJvm jvm = ForkedJvm.on(jdk).workDir(dir).timeoutSeconds(timeoutSeconds);
        if (agentOptions != null) {
            jvm.withAgent("log=" + log + (agentOptions.isEmpty() ? "" : "," + agentOptions));
        }
        return new VictimRun(jvm.runMain(BombVictim.class, mode, payload.toString()), ViolationLog.read(log));
    }

    private static void assertRefused(VictimRun run, String subject, String reason) {
        assertRefused(run, subject, reason, "net.razorvine.pickle.Unpickler.loads");
    }

    private static void assertRefused(VictimRun run, String subject, String reason, String entryPoint) {
        assertFalse(run.jvm().timedOut(), () -> "not refused within " + REFUSAL_SECONDS + " s\n" + run);
        assertTrue(run.result().startsWith(REFUSED + subject + " (rule serial.maxWork: "), run::toString);
        assertTrue(run.result().contains(reason), run::toString);
        List<JsonNode> refusals = ViolationLog.withAction(run.events(), "refuse");
        assertEquals(1, refusals.size(), run::toString);
        JsonNode event = refusals.get(0);
        assertEquals("serial.maxWork", event.path("rule.name").asText(), event::toString);
        assertEquals("pyrolite", event.path("safeload.library").asText(), event::toString);
        assertEquals(entryPoint, event.path("safeload.entry_point").asText(), event::toString);
        assertTrue(run.cpuMillis() >= 0 && run.cpuMillis() < 2000, run::toString);
        System.out.println("[PickleBudgetTest] refused after " + run.cpuMillis() + " ms of the reading thread's CPU: "
                + run.result());
    }

    private static void assertStillHashing(VictimRun run) {
        assertTrue(run.jvm().timedOut(), () -> "the load ended within " + TWIN_SECONDS + " s without the agent\n" + run);
        assertTrue(run.jvm().stdout().contains("READING"), run::toString);
    }

    private static void assertRead(VictimRun run, String type) {
        assertEquals("RESULT ok " + type, run.result(), run::toString);
        assertEquals(List.of(), run.events(), run::toString);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void refusesAHashBombBuiltFromMemoReferences(Jdks.Jdk jdk) throws Exception {
        byte[] bomb = PicklePayloads.hashBomb(40, true);
        assertTrue(bomb.length < 1000, () -> bomb.length + " bytes");
        assertRefused(load(jdk, bomb, "", REFUSAL_SECONDS), "dict", "hashing them visits ");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void hashBombHashesPastTheTimeoutWithoutTheAgent(Jdks.Jdk jdk) throws Exception {
        assertStillHashing(load(jdk, PicklePayloads.hashBomb(40, true), null, TWIN_SECONDS));
    }

    /** Forty nested lists, none reached twice: the key hashes at once. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void readsTheSameNestingWithNothingShared(Jdks.Jdk jdk) throws Exception {
        assertRead(load(jdk, PicklePayloads.hashBomb(40, false), "", REFUSAL_SECONDS), "java.util.HashMap");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void refusesOneOpcodeInsertingKeysWithOneHashCode(Jdks.Jdk jdk) throws Exception {
        assertRefused(load(jdk, PicklePayloads.listKeyDict(65_536, false), "", REFUSAL_SECONDS), "dict",
                "65536 keys of one dict share the hash code ");
        assertRefused(load(jdk, PicklePayloads.listKeySet(65_536, false), "", REFUSAL_SECONDS), "set",
                "65536 keys of one set share the hash code ");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void keysWithOneHashCodeHashPastTheTimeoutWithoutTheAgent(Jdks.Jdk jdk) throws Exception {
        assertStillHashing(load(jdk, PicklePayloads.listKeyDict(65_536, false), null, TWIN_SECONDS));
        assertStillHashing(load(jdk, PicklePayloads.listKeySet(65_536, false), null, TWIN_SECONDS));
    }

    /** The same lists and bytes, hash codes apart. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void readsAsManyListKeysWhoseHashCodesDiffer(Jdks.Jdk jdk) throws Exception {
        assertRead(load(jdk, PicklePayloads.listKeyDict(65_536, true), "", REFUSAL_SECONDS), "java.util.HashMap");
        assertRead(load(jdk, PicklePayloads.listKeySet(65_536, true), "", REFUSAL_SECONDS), "java.util.HashSet");
    }

    /** Batches of 64, each walking past every earlier key: refused by the load's CPU budget. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void refusesBatchesOfKeysWithOneHashCodeByTheLoadsCpu(Jdks.Jdk jdk) throws Exception {
        assertRefused(load(jdk, PicklePayloads.batchedListKeys(65_536, false), "", REFUSAL_SECONDS), "pickle",
                " ms of CPU, more than 0.75 s and 3 microseconds for each of the ");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void batchedKeysHashPastTheTimeoutWithoutTheAgent(Jdks.Jdk jdk) throws Exception {
        assertStillHashing(load(jdk, PicklePayloads.batchedListKeys(65_536, false), null, TWIN_SECONDS));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jdks")
    void readsTheSameBatchesWhoseHashCodesDiffer(Jdks.Jdk jdk) throws Exception {
        assertRead(load(jdk, PicklePayloads.batchedListKeys(65_536, true), "", REFUSAL_SECONDS), "java.util.HashMap");
    }

    /**
     * Decimal text of two million digits (2 MB), which Java reads in time that grows with the
     * square of its digits: a protocol-0 {@code LONG}, and a {@code decimal.Decimal}; the
     * {@code LONG} both through {@code loads} and through {@code load} from a file, whose stream
     * cannot be looked ahead in (the {@code Decimal}'s text is judged once read, whatever the stream).
     */
    static Stream<org.junit.jupiter.params.provider.Arguments> digits() {
        return Jdks.forTests().flatMap(jdk -> Stream.of("LONG pickle", "LONG pickle-file", "Decimal pickle")
                .map(way -> org.junit.jupiter.params.provider.Arguments.of(jdk, way.split(" ")[0], way.split(" ")[1])));
    }

    private static byte[] digits(String form, int count) {
        return form.equals("LONG") ? PicklePayloads.longText(count) : PicklePayloads.decimalText(count);
    }

    @ParameterizedTest(name = "{1} through {2} on {0}")
    @MethodSource("digits")
    void refusesDecimalTextOfMoreDigitsThanCPythonReads(Jdks.Jdk jdk, String form, String mode) throws Exception {
        VictimRun run = load(jdk, mode, digits(form, 2_000_000), "", REFUSAL_SECONDS);
        assertRefused(run, form.equals("LONG") ? "java.math.BigInteger" : "java.math.BigDecimal",
                form.equals("LONG") ? "a LONG of more than 4300 digits" : "a decimal of 2000000 characters",
                mode.equals("pickle") ? "net.razorvine.pickle.Unpickler.loads" : "net.razorvine.pickle.Unpickler.load");
    }

    @ParameterizedTest(name = "{1} through {2} on {0}")
    @MethodSource("digits")
    void decimalTextIsStillReadPastTheTimeoutWithoutTheAgent(Jdks.Jdk jdk, String form, String mode) throws Exception {
        assertStillHashing(load(jdk, mode, digits(form, 2_000_000), null, TWIN_SECONDS));
    }

    @ParameterizedTest(name = "{1} through {2} on {0}")
    @MethodSource("digits")
    void readsDecimalTextOf4300Digits(Jdks.Jdk jdk, String form, String mode) throws Exception {
        assertRead(load(jdk, mode, digits(form, 4_300), "", REFUSAL_SECONDS),
                form.equals("LONG") ? "java.math.BigInteger" : "java.math.BigDecimal");
    }
}
