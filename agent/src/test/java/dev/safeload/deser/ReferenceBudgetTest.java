package dev.safeload.deser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.safeload.config.PolicyCompiler;
import dev.safeload.config.Settings;
import dev.safeload.report.LogSettings;
import dev.safeload.report.Reporter;
import dev.safeload.report.ServiceIdentity;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CPU budget of one XStream, Kryo, Hessian, XMLDecoder or SnakeYAML document
 * ({@link ReferenceBudget#objectRead}), with the reader's work stood in for by spinning the
 * thread's CPU clock: real CPU, as the budget reads it.
 */
class ReferenceBudgetTest {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    @TempDir
    Path dir;

    private Path install(String options) throws Exception {
        Path log = dir.resolve("v.jsonl");
        Reporter reporter = new Reporter(new LogSettings(log.toString(), 1 << 20, 1, 100, ServiceIdentity.NONE),
                new PrintStream(new ByteArrayOutputStream()));
        DeserializerGate.install(new DeserializerGate(
                PolicyCompiler.compile(Settings.resolve(options, new Properties(), Map.of())), reporter));
        return log;
    }

    @AfterEach
    void uninstall() {
        DeserializerGate.install(null);
    }

    private static void spin(long cpuNanos) {
        long start = THREADS.getCurrentThreadCpuTime();
        while (THREADS.getCurrentThreadCpuTime() - start < cpuNanos) {
            Thread.onSpinWait();
        }
    }

    /** Reads objects that each cost {@code nanosEach} of CPU until refused, or {@code count} of them; the refusal or null. */
    private static Throwable read(Object owner, int count, long nanosEach) {
        ReferenceBudget budget = ReferenceBudget.of(owner);
        for (int i = 0; i < count; i++) {
            spin(nanosEach);
            Throwable refusal = budget.objectRead(List.class, ReferenceBudget.NANOS_PER_OBJECT, "kryo",
                    "com.esotericsoftware.kryo.Kryo.readClassAndObject", ReferenceBudgetTest.class,
                    "java.lang.IllegalStateException");
            if (refusal != null) {
                return refusal;
            }
        }
        return null;
    }

    @Test
    void refusesADocumentWhoseObjectsCostMoreThanItsBudget() throws Exception {
        Path log = install("mode=enforce");
        // 100 µs an object: past 0.75 s plus 3 µs an object after about 7,700 of them.
        Throwable refusal = read(new Object(), 40_000, 100_000);
        assertNotNull(refusal);
        assertEquals(IllegalStateException.class, refusal.getClass());
        assertTrue(refusal.getMessage().startsWith("safeload: refused java.util.List (rule serial.maxWork: this"
                + " document used "), refusal.getMessage());
        assertTrue(refusal.getMessage().contains(" ms of CPU, more than 0.75 s and 3 microseconds for each of the "),
                refusal.getMessage());
        List<String> events = Files.readAllLines(log);
        assertEquals(1, events.size(), events::toString);
        assertTrue(events.get(0).contains("\"rule.name\":\"serial.maxWork\""), events::toString);
    }

    @Test
    void readsADocumentWithinItsAllowancePerObject() throws Exception {
        install("mode=enforce");
        // 2 µs an object, 500,000 objects: a second of CPU, within 0.75 s plus 3 µs an object.
        assertNull(read(new Object(), 500_000, 2_000));
    }

    @Test
    void aNewTopLevelReadStartsWithTheWholeBudget() throws Exception {
        install("mode=enforce");
        Object kryo = new Object();
        // 0.5 s of CPU in each of two reads: within 0.75 s each, past it together.
        assertNull(read(kryo, 5_120, 100_000));
        ReferenceBudget.documentStarts(kryo);
        assertNull(read(kryo, 5_120, 100_000));
    }

    @Test
    void auditModeLogsTheDocumentOnceAndLetsItGoOn() throws Exception {
        Path log = install("mode=audit");
        assertNull(read(new Object(), 12_000, 100_000));
        List<String> events = Files.readAllLines(log);
        assertEquals(1, events.size(), events::toString);
        assertTrue(events.get(0).contains("\"event.action\":\"audit\""), events::toString);
    }
}
