package dev.safeload.instrument.xgboost;

import dev.safeload.instrument.TypeInstrumentation;
import dev.safeload.model.gate.ModelLoadGate;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.asm.AsmVisitorWrapper;

import static net.bytebuddy.matcher.ElementMatchers.isStatic;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

/**
 * XGBoost4J: {@code Booster.loadModel(String)} and {@code Booster.loadModel(byte[])}, which every
 * public entry funnels into ({@code XGBoost.loadModel} with a path, bytes or an
 * {@code InputStream}, and the Scala API), checked before the native library parses the model.
 */
public final class BoosterInstrumentation implements TypeInstrumentation {

    /** What {@link #trigger()} returns, as a constant the agent can read without loading this class. */
    public static final String TRIGGER = "ml.dmlc.xgboost4j.java.Booster";

    @Override
    public String trigger() {
        return TRIGGER;
    }

    @Override
    public AsmVisitorWrapper advice() {
        return Advice.to(LoadModelAdvice.class)
                .on(named("loadModel").and(isStatic()).and(takesArguments(1))
                        .and(takesArgument(0, String.class).or(takesArgument(0, byte[].class))));
    }

    /** Inlined into {@code Booster.loadModel(String)} and {@code Booster.loadModel(byte[])}. */
    public static final class LoadModelAdvice {

        private LoadModelAdvice() {
        }

        @Advice.OnMethodEnter
        static void enter(@Advice.Argument(0) Object model, @Advice.Origin Class<?> hooked) throws Throwable {
            Throwable refusal = ModelLoadGate.check("xgboost", "ml.dmlc.xgboost4j.java.Booster.loadModel", model, hooked,
                    "ml.dmlc.xgboost4j.java.XGBoostError");
            if (refusal != null) {
                throw refusal;
            }
        }
    }
}
