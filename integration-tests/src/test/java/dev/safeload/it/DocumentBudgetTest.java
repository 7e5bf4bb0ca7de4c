package dev.safeload.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.safeload.it.support.BombPayloads;
import dev.safeload.it.support.ForkedJvm;
import dev.safeload.it.support.Jdks;
import dev.safeload.it.support.VictimRun;
import dev.safeload.it.support.ViolationLog;
import dev.safeload.it.victim.BombVictim;
import dev.safeload.it.victim.HessianOrder;
import dev.safeload.it.victim.RpcOrder;
import dev.safeload.it.victim.XmlOrder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The stream guard's work and depth budgets ({@code serial.maxWork}, {@code serial.maxDepth})
 * on XStream 1.4.17 (its default XPath-relative references and its ID mode), Kryo 5 with
 * references on, and Hessian 4 (its Hessian 2 and Hessian 1 inputs), in real JVMs: hash bombs delivered through each library's
 * back-references are refused in a read that would otherwise never end, nesting past the limit
 * is refused, and a benign graph with ordinary sharing still reads. Keys with one hash code,
 * which no reference count sees, are refused by the document's CPU budget.
 */
class DocumentBudgetTest {

    /** A twin without the agent is killed after this: the bomb's read must not have finished by then. */
    private static final int TWIN_SECONDS = 10;
    /** A refusal under the agent comes long before this (measured: see READ_MS in the output). */
    private static final int REFUSAL_SECONDS = 60;

    enum Reader {
        XSTREAM("xstream", "com.thoughtworks.xstream.converters.ConversionException",
                "com.thoughtworks.xstream.XStream.fromXML", v -> BombPayloads.xstream(v, false), XmlOrder.sample()),
        XSTREAM_ID("xstream-id", "com.thoughtworks.xstream.converters.ConversionException",
                "com.thoughtworks.xstream.XStream.fromXML", v -> BombPayloads.xstream(v, true), XmlOrder.sample()),
        KRYO("kryo", "com.esotericsoftware.kryo.KryoException", "com.esotericsoftware.kryo.Kryo.readClassAndObject",
                BombPayloads::kryo, RpcOrder.sample()),
        HESSIAN("hessian", "com.caucho.hessian.io.HessianProtocolException",
                "com.caucho.hessian.io.Hessian2Input.readObject", BombPayloads::hessian, HessianOrder.sample()),
        /** Hessian 1 ({@code HessianOutput}, {@code HessianInput}): what {@code HessianServlet} reads v1 calls with. */
        HESSIAN1("hessian1", "com.caucho.hessian.io.HessianProtocolException",
                "com.caucho.hessian.io.HessianInput.readObject", BombPayloads::hessian1, HessianOrder.sample());

        final String mode;
        final String exception;
        final String entryPoint;
        final Function<Object, byte[]> writer;
        final Object dto;

        Reader(String mode, String exception, String entryPoint, Function<Object, byte[]> writer, Object dto) {
            this.mode = mode;
            this.exception = exception;
            this.entryPoint = entryPoint;
            this.writer = writer;
            this.dto = dto;
        }
    }

    static Stream<Arguments> readers() {
        return Jdks.forTests().flatMap(jdk -> Stream.of(Reader.values()).map(r -> Arguments.of(jdk, r)));
    }

    /** Hessian has no depth budget yet (see README Limits). */
    static Stream<Arguments> nestingReaders() {
        return readers().filter(a -> a.get()[1] != Reader.HESSIAN && a.get()[1] != Reader.HESSIAN1);
    }

    /** Reads {@code document} in a fresh JVM; {@code agentOptions} null means no agent. */
    private static VictimRun read(Jdks.Jdk jdk, Reader reader, Object document, String agentOptions, int timeoutSeconds)
            throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("safeload-budget-");
        Path payload = dir.resolve("document.bin");
        Files.write(payload, reader.writer.apply(document));
        Path log = dir.resolve("violations.jsonl");
        ForkedJvm jvm = ForkedJvm.on(jdk).workDir(dir).timeoutSeconds(timeoutSeconds);
        if (agentOptions != null) {
            jvm.withAgent("log=" + log + (agentOptions.isEmpty() ? "" : "," + agentOptions));
        }
        ForkedJvm.Result result = jvm.runMain(BombVictim.class, reader.mode, payload.toString());
        return new VictimRun(result, ViolationLog.read(log));
    }

    private static void assertRefused(Reader reader, VictimRun run, String rule, String bomb) {
        assertFalse(run.jvm().timedOut(), () -> "the read was not refused within " + REFUSAL_SECONDS + " s\n" + run);
        assertTrue(run.result().startsWith("RESULT refused " + reader.exception + ": safeload: refused "), run::toString);
        assertTrue(run.result().contains("(rule " + rule + ": "), run::toString);
        List<JsonNode> refusals = ViolationLog.withAction(run.events(), "refuse");
        assertEquals(1, refusals.size(), run::toString);
        JsonNode event = refusals.get(0);
        assertEquals(rule, event.path("rule.name").asText(), event::toString);
        assertEquals(reader.entryPoint, event.path("safeload.entry_point").asText(), event::toString);
        assertEquals(reader.mode.startsWith("xstream") ? "xstream" : reader.mode.startsWith("hessian") ? "hessian"
                : reader.mode, event.path("safeload.library").asText());
        assertEquals("failure", event.path("event.outcome").asText());
        // Measured, not asserted: the machine may be loaded.
        System.out.println("[DocumentBudgetTest] " + bomb + " " + reader + " refused by " + rule + " after "
                + run.readMillis() + " ms of read (" + run.cpuMillis() + " ms of the reading thread's CPU)");
    }

    private static void assertStillHashing(VictimRun run) {
        assertTrue(run.jvm().timedOut(), () -> "the bomb's read ended within " + TWIN_SECONDS + " s without the agent\n"
                + run);
        assertTrue(run.jvm().stdout().contains("READING"), run::toString);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("readers")
    void refusesAHashSetBombThroughBackReferencesByItsWork(Jdks.Jdk jdk, Reader reader) throws Exception {
        assertRefused(reader, read(jdk, reader, BombPayloads.hashSetBomb(30), "", REFUSAL_SECONDS), "serial.maxWork",
                "HashSet bomb depth 30");
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("readers")
    void hashSetBombHashesPastTheTimeoutWithoutTheAgent(Jdks.Jdk jdk, Reader reader) throws Exception {
        assertStillHashing(read(jdk, reader, BombPayloads.hashSetBomb(30), null, TWIN_SECONDS));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("readers")
    void refusesAListFanOutThroughBackReferencesByItsWork(Jdks.Jdk jdk, Reader reader) throws Exception {
        assertRefused(reader, read(jdk, reader, BombPayloads.listFanOut(200, 5), "", REFUSAL_SECONDS),
                "serial.maxWork", "list fan-out 200^5");
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("readers")
    void listFanOutHashesPastTheTimeoutWithoutTheAgent(Jdks.Jdk jdk, Reader reader) throws Exception {
        assertStillHashing(read(jdk, reader, BombPayloads.listFanOut(200, 5), null, TWIN_SECONDS));
    }

    /**
     * 65,536 lists with one hash code in a {@code HashSet}: no back-reference, nothing deep, 0.9 to
     * 2.9 MB; without the agent each reader is still hashing after 10 s (8,000 keys took XStream
     * 0.6 s and Kryo 0.4 s; the cost grows with the square). Refused by the document's CPU
     * budget, within 2 s of the reading thread's CPU (about 0.9 s measured).
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("readers")
    void refusesKeysWithOneHashCodeByTheDocumentsCpu(Jdks.Jdk jdk, Reader reader) throws Exception {
        VictimRun run = read(jdk, reader, BombPayloads.listKeys(65_536, false), "", REFUSAL_SECONDS);
        assertRefused(reader, run, "serial.maxWork", "65,536 keys with one hash code");
        assertTrue(run.result().contains(" ms of CPU, more than 0.75 s and 3 microseconds for each of the "),
                run::toString);
        assertTrue(run.cpuMillis() >= 0 && run.cpuMillis() < 2000, run::toString);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("readers")
    void keysWithOneHashCodeHashPastTheTimeoutWithoutTheAgent(Jdks.Jdk jdk, Reader reader) throws Exception {
        assertStillHashing(read(jdk, reader, BombPayloads.listKeys(65_536, false), null, TWIN_SECONDS));
    }

    /** The same 65,536 lists, and as many bytes, with their hash codes apart: read, nothing logged. */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("readers")
    void readsAsManyListKeysWhoseHashCodesDiffer(Jdks.Jdk jdk, Reader reader) throws Exception {
        VictimRun run = read(jdk, reader, BombPayloads.listKeys(65_536, true), "", REFUSAL_SECONDS);
        assertEquals("RESULT ok java.util.HashSet", run.result(), run::toString);
        assertEquals(List.of(), run.events(), run::toString);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("readers")
    void readsAGraphSharingOneDtoThreeHundredTimesOnceItsClassIsAllowed(Jdks.Jdk jdk, Reader reader) throws Exception {
        Object graph = BombPayloads.sharedDto(reader.dto, 300);
        VictimRun run = read(jdk, reader, graph, "serial.allow=" + reader.dto.getClass().getName(), REFUSAL_SECONDS);
        assertEquals("RESULT ok java.util.ArrayList", run.result(), run::toString);
        assertEquals(List.of(), ViolationLog.withAction(run.events(), "refuse"), run::toString);
        assertEquals(List.of(), ViolationLog.withAction(run.events(), "audit"), run::toString);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("nestingReaders")
    void refusesNestingPastMaxDepthThatReadsWithoutTheAgent(Jdks.Jdk jdk, Reader reader) throws Exception {
        VictimRun plain = read(jdk, reader, BombPayloads.nested(100), null, REFUSAL_SECONDS);
        assertEquals("RESULT ok java.util.ArrayList", plain.result(), plain::toString);
        assertRefused(reader, read(jdk, reader, BombPayloads.nested(100), "", REFUSAL_SECONDS), "serial.maxDepth",
                "nesting 100");
        VictimRun within = read(jdk, reader, BombPayloads.nested(60), "", REFUSAL_SECONDS);
        assertEquals("RESULT ok java.util.ArrayList", within.result(), within::toString);
    }

    /** An {@code Object[]} and a {@code String[]} of 200 million elements in a few bytes: each an OutOfMemoryError under -Xmx256m without the agent. */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("kryoArrays")
    void refusesAKryoArrayLengthItsBytesCannotBack(Jdks.Jdk jdk, Class<?> arrayClass) throws Exception {
        Path dir = Files.createTempDirectory("safeload-budget-");
        Path payload = dir.resolve("document.bin");
        Files.write(payload, BombPayloads.kryoArrayClaim(arrayClass, 200_000_000));
        Path log = dir.resolve("violations.jsonl");
        ForkedJvm.Result plain = ForkedJvm.on(jdk).workDir(dir).timeoutSeconds(REFUSAL_SECONDS).jvmArg("-Xmx256m")
                .runMain(BombVictim.class, "kryo", payload.toString());
        assertTrue(plain.stdout().contains("RESULT failed java.lang.OutOfMemoryError"), plain::toString);
        ForkedJvm.Result guarded = ForkedJvm.on(jdk).workDir(dir).timeoutSeconds(REFUSAL_SECONDS).jvmArg("-Xmx256m")
                .withAgent("log=" + log).runMain(BombVictim.class, "kryo", payload.toString());
        assertTrue(guarded.stdout().contains("RESULT refused com.esotericsoftware.kryo.KryoException: safeload: refused "
                + arrayClass.getName() + " (rule serial.maxAlloc: length 200000000 > 4 bytes left in the input)"),
                guarded::toString);
        assertEquals("serial.maxAlloc", ViolationLog.withAction(ViolationLog.read(log), "refuse").get(0)
                .path("rule.name").asText());
    }

    static Stream<Arguments> kryoArrays() {
        return Jdks.forTests().flatMap(jdk -> Stream.of(Object[].class, String[].class).map(c -> Arguments.of(jdk, c)));
    }

    static Stream<Jdks.Jdk> jdks() {
        return Jdks.forTests();
    }

    /**
     * Hessian lengths that bytes cannot back, each an {@code OutOfMemoryError} under
     * {@code -Xmx256m} without the agent: an {@code int[]} of 200 million elements in 11 bytes
     * (Hessian 2, refused by the bytes left; Hessian 1, whose input cannot tell them, by
     * {@code serial.maxArray}), and an object definition of 200 million fields.
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("hessianClaims")
    void refusesAHessianLengthItsBytesCannotBack(Jdks.Jdk jdk, String form) throws Exception {
        Path dir = Files.createTempDirectory("safeload-budget-");
        Path payload = dir.resolve("document.bin");
        Files.write(payload, BombPayloads.hessianClaim(form, 200_000_000));
        String mode = form.equals("array1") ? "hessian1" : "hessian";
        Path log = dir.resolve("violations.jsonl");
        ForkedJvm.Result plain = ForkedJvm.on(jdk).workDir(dir).timeoutSeconds(REFUSAL_SECONDS).jvmArg("-Xmx256m")
                .runMain(BombVictim.class, mode, payload.toString());
        assertTrue(plain.stdout().contains("RESULT failed java.lang.OutOfMemoryError"), plain::toString);
        ForkedJvm.Result guarded = ForkedJvm.on(jdk).workDir(dir).timeoutSeconds(REFUSAL_SECONDS).jvmArg("-Xmx256m")
                .withAgent("log=" + log).runMain(BombVictim.class, mode, payload.toString());
        String refusal = switch (form) {
            case "array" -> "[I (rule serial.maxAlloc: length 200000000 > 0 bytes left in the input)";
            case "array1" -> "[I (rule serial.maxArray: length 200000000 > 10000000)";
            default -> "[Ljava.lang.String; (rule serial.maxAlloc: an object definition of 200000000 fields; a class"
                    + " declares at most 65535)";
        };
        assertTrue(guarded.stdout().contains("RESULT refused com.caucho.hessian.io.HessianProtocolException: safeload:"
                + " refused " + refusal), guarded::toString);
        JsonNode event = ViolationLog.withAction(ViolationLog.read(log), "refuse").get(0);
        assertEquals(refusal.substring(refusal.indexOf("rule ") + 5, refusal.indexOf(':')),
                event.path("rule.name").asText(), event::toString);
        assertEquals("hessian", event.path("safeload.library").asText(), event::toString);
    }

    static Stream<Arguments> hessianClaims() {
        return Jdks.forTests().flatMap(jdk -> Stream.of("array", "array1", "fields").map(f -> Arguments.of(jdk, f)));
    }

    /** Without the agent a deep document overflows the reading thread's stack: an Error, not the library's exception. */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("nestingReaders")
    void refusesNestingThatOverflowsTheStackWithoutTheAgent(Jdks.Jdk jdk, Reader reader) throws Exception {
        Object deep = BombPayloads.nested(20_000);
        VictimRun plain = read(jdk, reader, deep, null, REFUSAL_SECONDS);
        assertTrue(plain.result().startsWith("RESULT failed java.lang.StackOverflowError"), plain::toString);
        assertRefused(reader, read(jdk, reader, deep, "", REFUSAL_SECONDS), "serial.maxDepth", "nesting 20,000");
    }
}
