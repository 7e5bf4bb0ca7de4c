package dev.safeload.instrument.jdk;

import dev.safeload.instrument.TypeInstrumentation;
import java.io.ObjectInputStream;
import java.util.function.ObjIntConsumer;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.asm.AsmVisitorWrapper;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

/**
 * Hands each class name read from a stream to the stream's guard before {@code resolveClass}
 * runs. That names classes that cannot be resolved (gadget probes), which the JDK's filter
 * only sees as null, and lets a forbidden name be refused before a subclass's own
 * {@code resolveClass} can initialise it.
 */
public final class ObjectStreamClassInstrumentation implements TypeInstrumentation {

    // Built before installation: building it reflects on the advice, which loads the JDK types
    // in its signature, and a class loaded in the middle of a transformation is never hooked.
    private final AsmVisitorWrapper advice = Advice.to(ReadNonProxyAdvice.class).on(named("readNonProxy").and(takesArguments(1)));

    @Override
    public ElementMatcher<TypeDescription> typeMatcher() {
        return named("java.io.ObjectStreamClass");
    }

    @Override
    public java.util.List<String> preloadedTypes() {
        return java.util.List.of("java.io.ObjectStreamClass");
    }

    @Override
    public AgentBuilder.Transformer transformer() {
        return (builder, type, loader, module, domain) -> builder.visit(advice);
    }

    /**
     * Inlined into {@code ObjectStreamClass.readNonProxy(ObjectInputStream)}. The guard is the
     * stream's filter and implements {@link ObjIntConsumer}; it may throw
     * {@code InvalidClassException}, which this method declares through {@code IOException}.
     */
    public static final class ReadNonProxyAdvice {

        private ReadNonProxyAdvice() {
        }

        // No suppress: a refusal thrown here must reach the caller.
        @Advice.OnMethodExit
        @SuppressWarnings({"unchecked", "rawtypes"})
        static void exit(@Advice.Argument(0) ObjectInputStream stream,
                         @Advice.FieldValue("name") String name,
                         @Advice.FieldValue("isEnum") boolean isEnum) {
            if (stream != null && stream.getObjectInputFilter() instanceof ObjIntConsumer guard) {
                // The flag bits are StreamGuard's: 1 the descriptor claims an enum, 2 a subclass stream.
                guard.accept(name, (isEnum ? 1 : 0) | (stream.getClass() != ObjectInputStream.class ? 2 : 0));
            }
        }
    }
}
