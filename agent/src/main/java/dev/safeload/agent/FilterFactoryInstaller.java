package dev.safeload.agent;

import java.io.ObjectInputFilter;
import java.lang.instrument.Instrumentation;
import java.lang.reflect.Field;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.BinaryOperator;

/**
 * Makes the agent's gate the JVM-wide deserialization filter factory.
 *
 * <p>The public API works unless the factory is locked: by {@code -Djdk.serialFilterFactory},
 * which the JDK reads at VM start, or, when the agent is attached to a running JVM, by the
 * first stream the application created. Then the gate is written into the JDK's field
 * directly (opened to the agent with {@link Instrumentation}), with the factory in force
 * running behind it, instead of leaving the JVM unprotected.
 */
final class FilterFactoryInstaller {

    private FilterFactoryInstaller() {
    }

    /**
     * @param gateFactory makes the gate from the JDK's builtin factory and the host's factory
     *     (null when the host has none)
     */
    static <G extends BinaryOperator<ObjectInputFilter>> G install(Instrumentation inst,
            BiFunction<BinaryOperator<ObjectInputFilter>, BinaryOperator<ObjectInputFilter>, G> gateFactory)
            throws ReflectiveOperationException {
        BinaryOperator<ObjectInputFilter> current = ObjectInputFilter.Config.getSerialFilterFactory();
        boolean builtinInstalled = current.getClass().getName().equals("java.io.ObjectInputFilter$Config$BuiltinFilterFactory");
        // The JDK's builtin factory returns the requested filter; that is what answers when the
        // host's own factory delegates back to the installed one.
        BinaryOperator<ObjectInputFilter> builtin = builtinInstalled ? current : (oldFilter, newFilter) -> newFilter;
        G gate = gateFactory.apply(builtin, builtinInstalled ? null : current);
        try {
            ObjectInputFilter.Config.setSerialFilterFactory(gate);
            return gate;
        } catch (IllegalStateException locked) {
            // -Djdk.serialFilterFactory locked it at VM start, or (on attach) a stream exists.
        }
        Module javaBase = ObjectInputFilter.class.getModule();
        inst.redefineModule(javaBase, Set.of(), Map.of(), Map.of("java.io", Set.of(FilterFactoryInstaller.class.getModule())),
                Set.of(), Map.of());
        Field field = ObjectInputFilter.Config.class.getDeclaredField("serialFilterFactory");
        field.setAccessible(true);
        field.set(null, gate);
        return gate;
    }
}
