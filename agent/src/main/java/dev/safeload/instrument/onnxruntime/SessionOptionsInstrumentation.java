package dev.safeload.instrument.onnxruntime;

import dev.safeload.instrument.TypeInstrumentation;
import dev.safeload.model.gate.ModelLoadGate;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.asm.AsmVisitorWrapper;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

import static net.bytebuddy.matcher.ElementMatchers.named;

/**
 * ONNX Runtime custom operators are native libraries loaded into the process: refused unless
 * the policy allows native libraries.
 */
public final class SessionOptionsInstrumentation implements TypeInstrumentation {

    /** What {@link #trigger()} returns, as a constant the agent can read without loading this class. */
    public static final String TRIGGER = "ai.onnxruntime.OrtSession$SessionOptions";

    @Override
    public ElementMatcher<TypeDescription> typeMatcher() {
        return named(TRIGGER);
    }

    @Override
    public String trigger() {
        return TRIGGER;
    }

    @Override
    public AgentBuilder.Transformer transformer() {
        AsmVisitorWrapper advice = Advice.to(RegisterCustomOpsAdvice.class)
                .on(named("registerCustomOpLibrary").or(named("registerCustomOpsUsingFunction")));
        return (builder, type, loader, module, domain) -> builder.visit(advice);
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
