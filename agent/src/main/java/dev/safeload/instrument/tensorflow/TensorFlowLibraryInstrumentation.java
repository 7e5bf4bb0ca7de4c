package dev.safeload.instrument.tensorflow;

import dev.safeload.instrument.TypeInstrumentation;
import dev.safeload.model.gate.ModelLoadGate;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.asm.AsmVisitorWrapper;

import static net.bytebuddy.matcher.ElementMatchers.named;

/** TensorFlow Java (experimental): {@code TensorFlow.loadLibrary} loads native op code, refused by default. */
public final class TensorFlowLibraryInstrumentation implements TypeInstrumentation {

    /** What {@link #trigger()} returns, as a constant the agent can read without loading this class. */
    public static final String TRIGGER = "org.tensorflow.TensorFlow";

    @Override
    public String trigger() {
        return TRIGGER;
    }

    @Override
    public AsmVisitorWrapper advice() {
        return Advice.to(LoadLibraryAdvice.class).on(named("loadLibrary"));
    }

    /** Inlined into {@code TensorFlow.loadLibrary}. */
    public static final class LoadLibraryAdvice {

        private LoadLibraryAdvice() {
        }

        @Advice.OnMethodEnter
        static void enter(@Advice.Argument(0) Object library, @Advice.Origin Class<?> hooked) throws Throwable {
            Throwable refusal = ModelLoadGate.checkNativeLibrary("tensorflow", "org.tensorflow.TensorFlow.loadLibrary",
                    library, hooked, "org.tensorflow.exceptions.TensorFlowException");
            if (refusal != null) {
                throw refusal;
            }
        }
    }
}
