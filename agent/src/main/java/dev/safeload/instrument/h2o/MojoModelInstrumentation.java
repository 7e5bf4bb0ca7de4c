package dev.safeload.instrument.h2o;

import dev.safeload.instrument.TypeInstrumentation;
import dev.safeload.model.gate.ModelLoadGate;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.asm.AsmVisitorWrapper;

import static net.bytebuddy.matcher.ElementMatchers.isStatic;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

/**
 * H2O: {@code MojoModel.load(String)} funnels into {@code load(String, boolean)}, which opens the
 * zip or folder itself, past {@code MojoReaderBackendFactory}; checked before it does.
 */
public final class MojoModelInstrumentation implements TypeInstrumentation {

    /** What {@link #trigger()} returns, as a constant the agent can read without loading this class. */
    public static final String TRIGGER = "hex.genmodel.MojoModel";

    @Override
    public String trigger() {
        return TRIGGER;
    }

    @Override
    public AsmVisitorWrapper advice() {
        return Advice.to(LoadAdvice.class)
                .on(named("load").and(isStatic()).and(takesArguments(2)).and(takesArgument(0, String.class)));
    }

    /** Inlined into {@code MojoModel.load(String, boolean)}. */
    public static final class LoadAdvice {

        private LoadAdvice() {
        }

        @Advice.OnMethodEnter
        static void enter(@Advice.Argument(0) Object file, @Advice.Origin Class<?> hooked) throws Throwable {
            Throwable refusal = ModelLoadGate.checkH2oMojo("hex.genmodel.MojoModel.load", file, hooked);
            if (refusal != null) {
                throw refusal;
            }
        }
    }
}
