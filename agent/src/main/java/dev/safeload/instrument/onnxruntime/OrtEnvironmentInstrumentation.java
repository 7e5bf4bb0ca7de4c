package dev.safeload.instrument.onnxruntime;

import dev.safeload.instrument.TypeInstrumentation;
import dev.safeload.model.gate.ModelLoadGate;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.asm.AsmVisitorWrapper;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

/**
 * ONNX Runtime: every {@code OrtEnvironment.createSession} overload (path, {@code byte[]},
 * {@code ByteBuffer}) funnels into a three-argument one, which is checked before the native
 * runtime sees the model.
 */
public final class OrtEnvironmentInstrumentation implements TypeInstrumentation {

    /** What {@link #trigger()} returns, as a constant the agent can read without loading this class. */
    public static final String TRIGGER = "ai.onnxruntime.OrtEnvironment";

    @Override
    public String trigger() {
        return TRIGGER;
    }

    @Override
    public AsmVisitorWrapper advice() {
        return Advice.to(CreateSessionAdvice.class)
                .on(named("createSession").and(takesArguments(3)));
    }

    /** Inlined into {@code createSession(model, allocator, options)}. */
    public static final class CreateSessionAdvice {

        private CreateSessionAdvice() {
        }

        @Advice.OnMethodEnter
        static void enter(@Advice.Argument(0) Object model, @Advice.Origin Class<?> hooked) throws Throwable {
            Throwable refusal = ModelLoadGate.check("onnxruntime", "ai.onnxruntime.OrtEnvironment.createSession",
                    model, hooked, "ai.onnxruntime.OrtException");
            if (refusal != null) {
                throw refusal;
            }
        }
    }
}
