package dev.safeload.instrument.djl;

import dev.safeload.instrument.TypeInstrumentation;
import dev.safeload.model.gate.ModelLoadGate;
import java.nio.file.Path;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.asm.AsmVisitorWrapper;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

import static net.bytebuddy.matcher.ElementMatchers.hasSuperType;
import static net.bytebuddy.matcher.ElementMatchers.isAbstract;
import static net.bytebuddy.matcher.ElementMatchers.nameStartsWith;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.not;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

/**
 * DJL engines: {@code Model.load(Path, String, Map)} of every engine's model class, which is
 * also where a model downloaded from a remote zoo is finally read from disk.
 */
public final class ModelLoadInstrumentation implements TypeInstrumentation {

    /** What {@link #trigger()} returns, as a constant the agent can read without loading this class. */
    public static final String TRIGGER = "ai.djl.";

    @Override
    public ElementMatcher<TypeDescription> typeMatcher() {
        // The name test first keeps the type-hierarchy test off every other class that loads.
        return nameStartsWith("ai.djl.").and(hasSuperType(named("ai.djl.Model")));
    }

    @Override
    public String trigger() {
        return TRIGGER;
    }

    @Override
    public AsmVisitorWrapper advice() {
        return Advice.to(LoadAdvice.class)
                .on(named("load").and(takesArguments(3)).and(takesArgument(0, Path.class)).and(not(isAbstract())));
    }

    /** Inlined into {@code Model.load(Path, String, Map)}. */
    public static final class LoadAdvice {

        private LoadAdvice() {
        }

        @Advice.OnMethodEnter
        static void enter(@Advice.Argument(0) Object modelPath, @Advice.Origin Class<?> hooked) throws Throwable {
            Throwable refusal = ModelLoadGate.check("djl", "ai.djl.Model.load", modelPath, hooked,
                    "ai.djl.MalformedModelException");
            if (refusal != null) {
                throw refusal;
            }
        }
    }
}
