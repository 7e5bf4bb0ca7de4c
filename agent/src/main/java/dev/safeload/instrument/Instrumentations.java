package dev.safeload.instrument;

import java.io.PrintStream;
import java.lang.instrument.Instrumentation;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.DynamicType;
import net.bytebuddy.dynamic.Nexus;
import net.bytebuddy.matcher.ElementMatcher;
import net.bytebuddy.utility.JavaModule;

import static net.bytebuddy.matcher.ElementMatchers.nameStartsWith;

/**
 * Installs {@link TypeInstrumentation}s with Byte Buddy and reports which types were
 * transformed and which failed, so a JDK whose internals changed is noticed at start.
 */
public final class Instrumentations {

    private Instrumentations() {
    }

    /** The agent's own packages, never transformed; anything else under dev.safeload is the host's. */
    private static ElementMatcher.Junction<TypeDescription> agentTypes() {
        ElementMatcher.Junction<TypeDescription> own = nameStartsWith("net.bytebuddy.");
        for (String pkg : new String[] {"agent", "cli", "config", "instrument", "model", "policy", "report",
            "serial", "shaded"}) {
            own = own.or(nameStartsWith("dev.safeload." + pkg + "."));
        }
        return own;
    }

    /**
     * Byte Buddy's default initialization strategy loads its Nexus, which reaches for
     * sun.misc.Unsafe and makes JDK 24+ print deprecation warnings in the host's console. The
     * agent uses no type initializers, so the Nexus is switched off while the builder is made.
     */
    private static AgentBuilder newAgentBuilder() {
        String previous = System.getProperty(Nexus.PROPERTY);
        System.setProperty(Nexus.PROPERTY, "true");
        try {
            return new AgentBuilder.Default();
        } finally {
            if (previous == null) {
                System.clearProperty(Nexus.PROPERTY);
            } else {
                System.setProperty(Nexus.PROPERTY, previous);
            }
        }
    }

    /** What an installation did. */
    public record Outcome(Set<String> transformed, List<String> errors) {
    }

    /**
     * Installs {@code instrumentations}, retransforming types already loaded; types not loaded
     * yet are transformed when they load. Failures are also printed on {@code console}.
     */
    public static Outcome install(Instrumentation inst, PrintStream console,
                                  List<? extends TypeInstrumentation> instrumentations) {
        Set<String> transformed = ConcurrentHashMap.newKeySet();
        List<String> errors = Collections.synchronizedList(new ArrayList<>());
        AgentBuilder builder = newAgentBuilder()
                .disableClassFormatChanges()
                .with(AgentBuilder.RedefinitionStrategy.RETRANSFORMATION)
                .with(AgentBuilder.InitializationStrategy.NoOp.INSTANCE)
                .with(AgentBuilder.TypeStrategy.Default.DECORATE)
                .with(AgentBuilder.InjectionStrategy.Disabled.INSTANCE)
                // The default rules skip JDK classes, which are exactly what must be hooked.
                .ignore(agentTypes())
                .with(new AgentBuilder.Listener.Adapter() {
                    @Override
                    public void onTransformation(TypeDescription type, ClassLoader loader, JavaModule module,
                                                 boolean loaded, DynamicType dynamicType) {
                        transformed.add(type.getName());
                    }

                    @Override
                    public void onError(String typeName, ClassLoader loader, JavaModule module, boolean loaded,
                                        Throwable throwable) {
                        errors.add(typeName + ": " + throwable);
                        console.println("safeload: warning: cannot hook " + typeName + ": " + throwable
                                + "; every stream is still checked by the filter, but this hook's extra checks are off");
                    }
                });
        List<String> expected = new ArrayList<>();
        for (TypeInstrumentation i : instrumentations) {
            for (String name : i.preloadedTypes()) {
                try {
                    Class.forName(name, false, null);
                    expected.add(name);
                } catch (ClassNotFoundException e) {
                    errors.add(name + ": not in this JDK");
                }
            }
            builder = builder.type(i.typeMatcher()).transform(i.transformer());
        }
        builder.installOn(inst);
        for (String name : expected) {
            if (!transformed.contains(name)) {
                errors.add(name + ": not transformed");
                console.println("safeload: warning: " + name + " could not be hooked; every stream is still"
                        + " checked by the filter, but this hook's extra checks are off");
            }
        }
        return new Outcome(transformed, errors);
    }
}
