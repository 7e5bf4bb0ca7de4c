package dev.safeload.instrument.djl;

import dev.safeload.instrument.TypeInstrumentation;
import dev.safeload.model.gate.ModelLoadGate;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.asm.AsmVisitorWrapper;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

/**
 * DJL: {@code Criteria.loadModel()} (and {@code ModelZoo.loadModel(criteria)}, which calls it)
 * is checked before DJL looks up an engine.
 */
public final class CriteriaInstrumentation implements TypeInstrumentation {

    /** What {@link #trigger()} returns, as a constant the agent can read without loading this class. */
    public static final String TRIGGER = "ai.djl.repository.zoo.Criteria";

    @Override
    public String trigger() {
        return TRIGGER;
    }

    @Override
    public AsmVisitorWrapper advice() {
        return Advice.to(LoadModelAdvice.class)
                .on(named("loadModel").and(takesArguments(0)));
    }

    /** Inlined into {@code Criteria.loadModel()}. */
    public static final class LoadModelAdvice {

        private LoadModelAdvice() {
        }

        @Advice.OnMethodEnter
        static void enter(@Advice.This Object criteria, @Advice.Origin Class<?> hooked) throws Throwable {
            Throwable refusal = ModelLoadGate.checkDjlCriteria(criteria, hooked);
            if (refusal != null) {
                throw refusal;
            }
        }
    }
}
