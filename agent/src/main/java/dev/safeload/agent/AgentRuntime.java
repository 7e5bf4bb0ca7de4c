package dev.safeload.agent;

import dev.safeload.instrument.Instrumentations;
import dev.safeload.instrument.jdk.ObjectInputFilterConfigInstrumentation;
import dev.safeload.instrument.jdk.ObjectInputStreamInstrumentation;
import dev.safeload.instrument.jdk.ObjectStreamClassInstrumentation;
import dev.safeload.policy.Policy;
import dev.safeload.report.Event;
import dev.safeload.report.LogSettings;
import dev.safeload.report.Reporter;
import dev.safeload.serial.SerialGate;
import java.io.ObjectInputFilter;
import java.io.PrintStream;
import java.lang.instrument.Instrumentation;
import java.util.List;
import java.util.Properties;
import java.util.function.BinaryOperator;

/** The running agent: the serialization gate, its reporter and the JDK hooks. */
final class AgentRuntime {

    private static volatile SerialGate gate;

    private AgentRuntime() {
    }

    /** The gate of this JVM, or null before start or in mode off. */
    static SerialGate gate() {
        return gate;
    }

    static void start(Policy policy, LogSettings log, Instrumentation inst,
                      Properties systemProperties, PrintStream console) {
        Reporter reporter = new Reporter(log, console);
        SerialGate serialGate;
        try {
            serialGate = FilterFactoryInstaller.install(inst,
                    (builtin, host) -> new SerialGate(policy, reporter, builtin, host));
        } catch (IllegalStateException | ReflectiveOperationException e) {
            SafeloadAgent.failClosed(console, "cannot install the deserialization filter factory: " + e.getMessage());
            return;
        }
        gate = serialGate;

        // The hooked JDK classes are transformed when they load (or now, if loaded already);
        // a failure is printed when it happens. The filter factory checks every stream regardless.
        Instrumentations.install(inst, console, List.of(
                new ObjectInputStreamInstrumentation(),
                new ObjectStreamClassInstrumentation(),
                new ObjectInputFilterConfigInstrumentation()));
        console.println("safeload " + SafeloadAgent.version() + ": " + policy.mode().label() + " mode, "
                + policy.source() + " (sha256 " + policy.digest().substring(0, 12) + "), violations to "
                + log.destination());
        reporter.report(Event.of("event", "start")
                .put("message", "safeload started in " + policy.mode().label() + " mode")
                .put("event.module", "safeload")
                .put("event.dataset", "safeload.violations")
                .put("safeload.mode", policy.mode().label())
                .put("safeload.policy_source", policy.source())
                .put("safeload.policy_digest", policy.digest())
                .put("safeload.version", SafeloadAgent.version()), "start", null);
    }

}
