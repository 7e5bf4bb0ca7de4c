package dev.safeload.instrument.tensorflow;

import dev.safeload.instrument.TypeInstrumentation;
import dev.safeload.model.gate.ModelLoadGate;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.asm.AsmVisitorWrapper;

import static net.bytebuddy.matcher.ElementMatchers.isStatic;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;

/** TensorFlow Java (experimental: not tested against the real jar): {@code SavedModelBundle.load(dir, tags...)}. */
public final class SavedModelBundleInstrumentation implements TypeInstrumentation {

    /** What {@link #trigger()} returns, as a constant the agent can read without loading this class. */
    public static final String TRIGGER = "org.tensorflow.SavedModelBundle";

    @Override
    public String trigger() {
        return TRIGGER;
    }

    @Override
    public AsmVisitorWrapper advice() {
        return Advice.to(LoadAdvice.class)
                .on(named("load").and(isStatic()).and(takesArgument(0, String.class)));
    }

    /** Inlined into {@code SavedModelBundle.load}. */
    public static final class LoadAdvice {

        private LoadAdvice() {
        }

        @Advice.OnMethodEnter
        static void enter(@Advice.Argument(0) Object exportDir, @Advice.Origin Class<?> hooked) throws Throwable {
            Throwable refusal = ModelLoadGate.check("tensorflow", "org.tensorflow.SavedModelBundle.load", exportDir,
                    hooked, "org.tensorflow.exceptions.TensorFlowException");
            if (refusal != null) {
                throw refusal;
            }
        }
    }
}
