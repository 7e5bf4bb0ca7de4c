package dev.safeload.instrument.jdk;

import dev.safeload.instrument.TypeInstrumentation;
import java.io.ObjectInputFilter;
import java.util.function.BinaryOperator;
import java.util.function.IntConsumer;
import java.util.function.Predicate;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.asm.AsmVisitorWrapper;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

/**
 * Marks when a stream is in the middle of reading, so a stream opened inside deserialization
 * ({@code SignedObject.getObject}, {@code MarshalledObject.get}) is known to be nested; and
 * guards, at its next read, a stream created before the agent was attached.
 * {@code readObject0} is private and every read path (readObject, readUnshared, fields,
 * arrays) goes through it.
 */
public final class ObjectInputStreamInstrumentation implements TypeInstrumentation {

    // Built before installation: building it reflects on the advice, which loads the JDK types
    // in its signature, and a class loaded in the middle of a transformation is never hooked.
    private final AsmVisitorWrapper advice = Advice.to(ReadObjectAdvice.class).on(named("readObject0").and(takesArguments(2)));

    @Override
    public ElementMatcher<TypeDescription> typeMatcher() {
        return named("java.io.ObjectInputStream");
    }

    @Override
    public java.util.List<String> preloadedTypes() {
        return java.util.List.of("java.io.ObjectInputStream");
    }

    @Override
    public AgentBuilder.Transformer transformer() {
        return (builder, type, loader, module, domain) -> builder.visit(advice);
    }

    /**
     * Inlined into {@code ObjectInputStream.readObject0}. The stream's guard is its filter and
     * implements {@link IntConsumer}; a JDK interface is the bridge, because code in java.base
     * can only name JDK types.
     */
    public static final class ReadObjectAdvice {

        private ReadObjectAdvice() {
        }

        @Advice.OnMethodEnter
        @SuppressWarnings({"unchecked", "rawtypes"})
        static void enter(@Advice.FieldValue(value = "serialFilter", readOnly = false) ObjectInputFilter filter) {
            if (filter instanceof IntConsumer guard) {
                guard.accept(1);
            } else if (ObjectInputFilter.Config.getSerialFilterFactory() instanceof Predicate gate) {
                // A stream created before the agent was attached: guard it from this read on, as
                // its constructor would have: the factory given (no filter, its current filter).
                filter = (ObjectInputFilter) ((BinaryOperator) gate).apply(null, filter);
                if (filter instanceof IntConsumer guard) {
                    guard.accept(1);
                }
            }
        }

        // No suppress: whatever readObject0 throws, including a refusal, must propagate.
        @Advice.OnMethodExit(onThrowable = Throwable.class)
        static void exit(@Advice.FieldValue("serialFilter") ObjectInputFilter filter) {
            if (filter instanceof IntConsumer guard) {
                guard.accept(-1);
            }
        }
    }
}
