package dev.safeload.agent;

import dev.safeload.instrument.Instrumentations;
import dev.safeload.instrument.TypeInstrumentation;
import dev.safeload.instrument.custom.UserHookInstrumentation;
import dev.safeload.instrument.djl.CriteriaInstrumentation;
import dev.safeload.instrument.djl.ModelLoadInstrumentation;
import dev.safeload.instrument.onnxruntime.OrtEnvironmentInstrumentation;
import dev.safeload.instrument.onnxruntime.SessionOptionsInstrumentation;
import dev.safeload.instrument.tensorflow.SavedModelBundleInstrumentation;
import dev.safeload.instrument.tensorflow.TensorFlowLibraryInstrumentation;
import dev.safeload.instrument.weka.SerializationHelperInstrumentation;
import dev.safeload.model.gate.ModelLoadGate;
import dev.safeload.policy.ModelHook;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.function.BinaryOperator;

/** The running agent: the serialization gate, its reporter and the JDK hooks. */
final class AgentRuntime {

    private static volatile SerialGate gate;
    private static volatile ModelLoadGate models;

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

        ModelLoadGate modelGate = new ModelLoadGate(policy, reporter);
        ModelLoadGate.install(modelGate);
        models = modelGate;

        // The hooked JDK classes are transformed now; the model libraries' classes when they
        // load, so a library that is never used costs a name check per class load. A failure
        // is printed when it happens. The filter factory checks every stream regardless.
        List<TypeInstrumentation> hooks = new ArrayList<>(List.of(
                new ObjectInputStreamInstrumentation(),
                new ObjectStreamClassInstrumentation(),
                new ObjectInputFilterConfigInstrumentation(),
                new OrtEnvironmentInstrumentation(),
                new SessionOptionsInstrumentation(),
                new CriteriaInstrumentation(),
                new ModelLoadInstrumentation(),
                new SavedModelBundleInstrumentation(),
                new TensorFlowLibraryInstrumentation(),
                new SerializationHelperInstrumentation()));
        for (ModelHook hook : policy.hooks()) {
            hooks.add(new UserHookInstrumentation(hook));
        }
        Instrumentations.install(inst, console, hooks);
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
