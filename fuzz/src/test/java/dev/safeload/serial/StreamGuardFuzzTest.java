package dev.safeload.serial;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.safeload.config.ConfigException;
import dev.safeload.config.PolicyCompiler;
import dev.safeload.config.Settings;
import dev.safeload.fuzz.SeedWarmUp;
import dev.safeload.policy.Decision;
import dev.safeload.policy.Policy;
import dev.safeload.policy.SerialPolicy;
import dev.safeload.report.LogSettings;
import dev.safeload.report.Reporter;
import dev.safeload.report.ServiceIdentity;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InvalidClassException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectStreamClass;
import java.io.PrintStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;

/**
 * An {@link ObjectInputStream} under the agent's gate, fed mutated serialization streams. The
 * gate is the JVM-wide filter factory, installed through the public API as premain does
 * ({@code FilterFactoryInstaller}), with the enforce-mode default policy; the JDK calls its
 * {@link StreamGuard} right after {@code resolveClass}, before anything else of the class is
 * read. So:
 * <ul>
 *   <li>a class {@code resolveClass} returned that the policy does not allow must end the read
 *       with the guard's {@link InvalidClassException}, at once;</li>
 *   <li>no class outside the allowlist is ever initialised ({@link Canary}'s static initialiser
 *       would say so);</li>
 *   <li>nothing but a refusal is thrown from the agent's code: any other exception whose stack
 *       passes through {@code dev.safeload} is a finding, while the JDK's own exceptions on a
 *       malformed stream are not;</li>
 *   <li>no hang (the fuzzer's per-input timeout) and no OutOfMemoryError under the small heap
 *       (the limits and the free-heap check must refuse first).</li>
 * </ul>
 * In-process there is no instrumentation, so the name check before a subclass's
 * {@code resolveClass} (JdkHooks' advice) is not exercised here; the integration tests cover it.
 */
public class StreamGuardFuzzTest {

    /** Not in any allowlist; its static initialiser runs only if the guard lets it be used. */
    public static final class Canary implements Serializable {
        static {
            canaryInitialised = true;
        }

        public Object payload;
    }

    /** Set by {@link Canary}'s static initialiser; kept here, since reading a field of Canary would initialise it. */
    static volatile boolean canaryInitialised;

    private static final SerialGate GATE;
    private static final int MAX_OBJECTS = 32;

    static {
        try {
            Policy policy = PolicyCompiler.compile(Settings.defaults());
            Path log = Files.createTempFile("safeload-fuzz-guard", ".jsonl");
            log.toFile().deleteOnExit();
            Reporter reporter = new Reporter(new LogSettings(log.toString(), 1L << 20, 1, 1, ServiceIdentity.NONE),
                    new PrintStream(PrintStream.nullOutputStream()));
            ObjectInputFilter.Config.setSerialFilterFactory(
                    new SerialGate(policy, reporter, ObjectInputFilter.Config.getSerialFilterFactory(), null, null));
            GATE = (SerialGate) ObjectInputFilter.Config.getSerialFilterFactory();
        } catch (ConfigException e) {
            throw new IllegalStateException(e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The stream a host would use, recording the first class it resolved that the policy refuses. */
    private static final class RecordingStream extends ObjectInputStream {
        Class<?> forbidden;

        RecordingStream(InputStream in) throws IOException {
            super(in);
        }

        @Override
        protected Class<?> resolveClass(ObjectStreamClass desc) throws IOException, ClassNotFoundException {
            Class<?> type = super.resolveClass(desc);
            noteIfForbidden(type);
            return type;
        }

        @Override
        protected Class<?> resolveProxyClass(String[] interfaces) throws IOException, ClassNotFoundException {
            Class<?> proxy = super.resolveProxyClass(interfaces);
            for (Class<?> i : proxy.getInterfaces()) {
                noteIfForbidden(i);
            }
            return proxy;
        }

        private void noteIfForbidden(Class<?> type) {
            if (forbidden == null && !allowed(type)) {
                forbidden = type;
            }
        }
    }

    static boolean allowed(Class<?> type) {
        SerialPolicy serial = GATE.policy().serial();
        Decision d = serial.decide(type);
        if (d == SerialPolicy.SCOPED) {
            Set<String> frames = StackWalker.getInstance().walk(s -> s.map(StackWalker.StackFrame::getClassName)
                    .collect(Collectors.toUnmodifiableSet()));
            d = serial.decideScoped(type, frames);
        }
        return !d.rejected();
    }

    /** Before fuzz.sh's fuzzing starts (not in the build's replay): see {@link SeedWarmUp}. */
    @BeforeAll
    static void warmUp() {
        SeedWarmUp.replay(StreamGuardFuzzTest.class, "guard", StreamGuardFuzzTest::fuzzerTestOneInput);
    }

    public static void fuzzerTestOneInput(byte[] data) {
        RecordingStream in;
        try {
            in = new RecordingStream(new ByteArrayInputStream(data));
        } catch (IOException e) {
            return; // no stream header: the JDK's
        }
        Throwable end = null;
        try {
            for (int i = 0; i < MAX_OBJECTS; i++) {
                in.readObject();
            }
        } catch (EOFException e) {
            end = null;
        } catch (OutOfMemoryError e) {
            throw e; // bounded memory is part of the contract, whoever allocated
        } catch (Exception | Error e) {
            // Errors too: the JDK throws InternalError for an immutable map whose serial proxy
            // (CollSer) holds an odd number of elements, with or without the agent; judged below
            // like the JDK's exceptions, by whether the agent's code threw it.
            end = e;
        }
        if (canaryInitialised) {
            throw new AssertionError("a class outside the allowlist was initialised: " + Canary.class.getName(), end);
        }
        if (in.forbidden != null) {
            boolean refused = end instanceof InvalidClassException ice && ice.getMessage() != null
                    && ice.getMessage().contains("safeload: rejected");
            if (!refused) {
                throw new AssertionError("resolved " + in.forbidden.getName()
                        + ", which the policy refuses, and the read went on to: " + end, end);
            }
        }
        if (end != null && !(end instanceof InvalidClassException) && thrownByAgent(end)) {
            throw new AssertionError("the guard threw something other than a refusal: " + end, end);
        }
    }

    /** Whether the agent's own code, not the JDK's reading of a malformed stream, threw it. */
    private static boolean thrownByAgent(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            for (StackTraceElement frame : c.getStackTrace()) {
                if (frame.getClassName().startsWith("dev.safeload.") && !frame.getClassName().startsWith("dev.safeload.serial.StreamGuardFuzzTest")) {
                    return true;
                }
            }
        }
        return false;
    }

    @FuzzTest(maxDuration = "30s")
    void guard(byte[] data) {
        fuzzerTestOneInput(data);
    }
}
