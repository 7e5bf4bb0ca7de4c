package dev.safeload.instrument.weka;

import dev.safeload.instrument.TypeInstrumentation;
import dev.safeload.model.gate.ModelLoadGate;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.asm.AsmVisitorWrapper;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

/**
 * Weka: {@code SerializationHelper.read(String)} and {@code readAll(String)} check the model file
 * before Weka opens it. The stream it then reads is also checked class by class by the
 * {@code ObjectInputStream} guard.
 */
public final class SerializationHelperInstrumentation implements TypeInstrumentation {

    /** What {@link #trigger()} returns, as a constant the agent can read without loading this class. */
    public static final String TRIGGER = "weka.core.SerializationHelper";

    @Override
    public String trigger() {
        return TRIGGER;
    }

    @Override
    public AsmVisitorWrapper advice() {
        return Advice.to(ReadAdvice.class)
                .on(named("read").or(named("readAll")).and(takesArguments(1)).and(takesArgument(0, String.class)));
    }

    /** Inlined into {@code SerializationHelper.read(String)}. */
    public static final class ReadAdvice {

        private ReadAdvice() {
        }

        @Advice.OnMethodEnter
        static void enter(@Advice.Argument(0) Object file, @Advice.Origin Class<?> hooked) throws Throwable {
            Throwable refusal = ModelLoadGate.check("weka", "weka.core.SerializationHelper.read", file, hooked,
                    "java.io.InvalidClassException");
            if (refusal != null) {
                throw refusal;
            }
        }
    }
}
