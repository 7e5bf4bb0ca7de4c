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
 * <p>The public API works unless the JVM was started with {@code -Djdk.serialFilterFactory}:
 * the JDK reads that property at VM start and locks the factory in. Then the gate is written
 * into the JDK's field directly (opened to the agent with {@link Instrumentation}), with the
 * host's factory running behind it, instead of leaving the JVM unprotected.
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
        boolean hostFactory = System.getProperty("jdk.serialFilterFactory") != null;
        // The JDK's builtin factory returns the requested filter; that is what answers when the
        // host's own factory delegates back to the installed one.
        BinaryOperator<ObjectInputFilter> builtin = hostFactory ? (oldFilter, newFilter) -> newFilter : current;
        G gate = gateFactory.apply(builtin, hostFactory ? current : null);
        if (!hostFactory) {
            ObjectInputFilter.Config.setSerialFilterFactory(gate);
            return gate;
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
