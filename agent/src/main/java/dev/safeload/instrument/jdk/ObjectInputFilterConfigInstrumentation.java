package dev.safeload.instrument.jdk;

import dev.safeload.instrument.TypeInstrumentation;
import java.io.ObjectInputFilter;
import java.util.function.BinaryOperator;
import java.util.function.Predicate;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.asm.AsmVisitorWrapper;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

import static net.bytebuddy.matcher.ElementMatchers.named;

/**
 * Keeps {@code ObjectInputFilter.Config.setSerialFilterFactory} working for the host: the JDK
 * allows one factory per JVM and the agent's is already set, so the host's factory is adopted
 * behind the agent's instead of the call failing with {@code IllegalStateException}.
 */
public final class ObjectInputFilterConfigInstrumentation implements TypeInstrumentation {

    // Built before installation: building it reflects on the advice, which loads the JDK types
    // in its signature, and a class loaded in the middle of a transformation is never hooked.
    private final AsmVisitorWrapper advice = Advice.to(SetFactoryAdvice.class).on(named("setSerialFilterFactory"));

    @Override
    public ElementMatcher<TypeDescription> typeMatcher() {
        return named("java.io.ObjectInputFilter$Config");
    }

    @Override
    public java.util.List<String> preloadedTypes() {
        return java.util.List.of("java.io.ObjectInputFilter$Config");
    }

    @Override
    public AgentBuilder.Transformer transformer() {
        return (builder, type, loader, module, domain) -> builder.visit(advice);
    }

    /**
     * Inlined into {@code Config.setSerialFilterFactory}. The installed factory is the agent's
     * gate, which implements {@link Predicate}: true means it adopted the host's factory and
     * the JDK's method is skipped; false lets the JDK's method run and throw as it would.
     */
    public static final class SetFactoryAdvice {

        private SetFactoryAdvice() {
        }

        @Advice.OnMethodEnter(skipOn = Advice.OnNonDefaultValue.class)
        @SuppressWarnings({"unchecked", "rawtypes"})
        static boolean enter(@Advice.Argument(0) BinaryOperator<ObjectInputFilter> factory) {
            if (factory == null) {
                return false;
            }
            BinaryOperator<ObjectInputFilter> installed;
            try {
                installed = ObjectInputFilter.Config.getSerialFilterFactory();
            } catch (IllegalStateException e) {
                return false;
            }
            return installed instanceof Predicate gate && gate.test(factory);
        }
    }
}
