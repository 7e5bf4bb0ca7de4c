package dev.safeload.instrument.onnxruntime;

import dev.safeload.instrument.TypeInstrumentation;
import dev.safeload.model.gate.ModelLoadGate;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.asm.AsmVisitorWrapper;

import static net.bytebuddy.matcher.ElementMatchers.named;

/**
 * ONNX Runtime custom operators are native libraries loaded into the process: refused unless
 * the policy allows native libraries.
 */
public final class SessionOptionsInstrumentation implements TypeInstrumentation {

    /** What {@link #trigger()} returns, as a constant the agent can read without loading this class. */
    public static final String TRIGGER = "ai.onnxruntime.OrtSession$SessionOptions";

    @Override
    public String trigger() {
        return TRIGGER;
    }

    @Override
    public AsmVisitorWrapper advice() {
        return Advice.to(RegisterCustomOpsAdvice.class)
                .on(named("registerCustomOpLibrary").or(named("registerCustomOpsUsingFunction")));
    }

    /** Inlined into the custom-op registration methods. */
    public static final class RegisterCustomOpsAdvice {

        private RegisterCustomOpsAdvice() {
        }

        @Advice.OnMethodEnter
        static void enter(@Advice.Argument(0) Object library, @Advice.Origin("#t.#m") String method,
                          @Advice.Origin Class<?> hooked) throws Throwable {
            Throwable refusal = ModelLoadGate.checkNativeLibrary("onnxruntime", method, library, hooked,
                    "ai.onnxruntime.OrtException");
            if (refusal != null) {
                throw refusal;
            }
        }
    }
}
