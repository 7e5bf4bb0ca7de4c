package dev.safeload.instrument;

import dev.safeload.instrument.edit.EntryHook;
import dev.safeload.instrument.edit.EntryHookEdit;
import dev.safeload.instrument.jdk.JdkHooks;
import dev.safeload.policy.ModelHook;
import dev.safeload.policy.Once;
import java.io.PrintStream;
import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.IllegalClassFormatException;
import java.lang.instrument.Instrumentation;
import java.lang.instrument.UnmodifiableClassException;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.Nexus;
import net.bytebuddy.matcher.ElementMatcher;
import net.bytebuddy.utility.JavaModule;

import static net.bytebuddy.matcher.ElementMatchers.nameStartsWith;

/**
 * The agent's one class file transformer. The java.base hooks are plain ASM edits
 * ({@link JdkHooks}); so are the libraries' {@link EntryHook}s, written into a hooked class when
 * it loads ({@link EntryHookEdit}). What is still Byte Buddy advice starts Byte Buddy only when
 * the first class it must hook is about to load, inside that class's own transformation, so the
 * hook is in place before any of its code runs. A JVM that never loads a hooked library pays
 * nothing for it.
 */
public final class Hooks implements ClassFileTransformer {

    private final JdkHooks jdk;
    private final String[] entryHooked;
    private final Set<String> entryHooksApplied = ConcurrentHashMap.newKeySet();
    private final String[] exactTriggers;
    private final String[] prefixTriggers;
    private final Once<ClassFileTransformer> byteBuddy;
    private final PrintStream console;

    private Hooks(PrintStream console, List<ModelHook> userHooks) {
        this.console = console;
        this.jdk = new JdkHooks(console);
        this.byteBuddy = Once.of(new StartByteBuddy(userHooks, console));
        List<String> exact = new ArrayList<>();
        List<String> prefixes = new ArrayList<>();
        for (String name : Libraries.triggers(userHooks)) {
            String trigger = name.replace('.', '/');
            (trigger.endsWith("/") ? prefixes : exact).add(trigger);
        }
        this.exactTriggers = exact.toArray(new String[0]);
        this.entryHooked = Libraries.ENTRY_HOOKED.stream().map(name -> name.replace('.', '/')).toArray(String[]::new);
        this.prefixTriggers = prefixes.toArray(new String[0]);
    }

    /**
     * Registers the transformer. Hooked classes that are already loaded (on attach, or loaded
     * by something that ran before the agent) are retransformed now; the others when they load.
     *
     * @param userHooks the policy's {@code model.hooks}, hooked beside the built-in {@link Libraries}
     */
    public static Hooks install(Instrumentation inst, PrintStream console, List<ModelHook> userHooks) {
        Hooks hooks = new Hooks(console, userHooks);
        // Retransformable, so another agent's retransformation starts from bytes we edit again.
        inst.addTransformer(hooks, true);
        List<Class<?>> loaded = new ArrayList<>();
        for (Class<?> type : inst.getAllLoadedClasses()) {
            String name = type.getName().replace('.', '/');
            if ((type.getClassLoader() == null && JdkHooks.handles(name) || hooks.triggers(name) || hooks.entryHooked(name))
                    && inst.isModifiableClass(type)) {
                loaded.add(type);
            }
        }
        for (Class<?> type : loaded) {
            try {
                inst.retransformClasses(type);
            } catch (UnmodifiableClassException | RuntimeException | LinkageError e) {
                console.println("safeload: warning: cannot hook the loaded class " + type.getName() + ": " + e
                        + "; every stream is still checked by the filter, but this hook is off");
            }
        }
        return hooks;
    }

    @Override
    public byte[] transform(Module module, ClassLoader loader, String name, Class<?> redefined,
                            ProtectionDomain domain, byte[] bytes) throws IllegalClassFormatException {
        if (name == null) {
            return null;
        }
        if (loader == null && JdkHooks.handles(name)) {
            return jdk.rewrite(name, bytes);
        }
        byte[] edited = entryHooked(name) ? entryHooks(name, bytes) : null;
        if (!triggers(name)) {
            return edited;
        }
        try {
            byte[] advised = byteBuddy.get().transform(module, loader, name, redefined, domain,
                    edited != null ? edited : bytes);
            return advised != null ? advised : edited;
        } catch (RuntimeException | LinkageError e) {
            // The JDK would swallow it and load the class unhooked without a word.
            console.println("safeload: warning: cannot hook " + name.replace('/', '.') + ": " + e
                    + "; its model files are not checked when it loads them");
            return null;
        }
    }

    /** The entry hooks written so far, as {@code class.method(descriptor)}; for tests and the start check. */
    public Set<String> entryHooksApplied() {
        return Set.copyOf(entryHooksApplied);
    }

    private byte[] entryHooks(String internalName, byte[] bytes) {
        String className = internalName.replace('/', '.');
        try {
            EntryHookEdit.Result result = EntryHookEdit.apply(bytes, Libraries.entryHooks(className));
            for (String problem : result.problems()) {
                console.println("safeload: warning: cannot hook " + problem
                        + "; what it loads through that method is not checked");
            }
            for (EntryHook hook : result.applied()) {
                entryHooksApplied.add(hook.toString());
            }
            return result.bytes();
        } catch (RuntimeException | LinkageError e) {
            // The JDK would swallow it and load the class unhooked without a word.
            console.println("safeload: warning: cannot hook " + className + ": " + e
                    + "; what it loads is not checked");
            return null;
        }
    }

    private boolean entryHooked(String internalName) {
        for (String name : entryHooked) {
            if (name.equals(internalName)) {
                return true;
            }
        }
        return false;
    }

    private boolean triggers(String internalName) {
        for (String trigger : exactTriggers) {
            if (trigger.equals(internalName)) {
                return true;
            }
        }
        for (String prefix : prefixTriggers) {
            if (internalName.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    /** Starts Byte Buddy when first asked; only this small class is loaded at premain. */
    private record StartByteBuddy(List<ModelHook> userHooks, PrintStream console)
            implements Supplier<ClassFileTransformer> {
        @Override
        public ClassFileTransformer get() {
            return ByteBuddyStart.make(Libraries.create(userHooks), console);
        }
    }

    /**
     * Byte Buddy as a transformer that is called, never installed: {@link Hooks} decides which
     * classes reach it. A class of its own, so that verifying {@link Hooks} at premain loads
     * none of Byte Buddy's types.
     */
    private static final class ByteBuddyStart {

        private ByteBuddyStart() {
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
         * sun.misc.Unsafe and makes JDK 24+ print deprecation warnings in the host's console; the
         * agent uses no type initializers, so the Nexus is off while the builder is made.
         */
        static ClassFileTransformer make(List<TypeInstrumentation> libraries, PrintStream console) {
            String previous = System.getProperty(Nexus.PROPERTY);
            System.setProperty(Nexus.PROPERTY, "true");
            AgentBuilder builder;
            try {
                builder = new AgentBuilder.Default();
            } finally {
                if (previous == null) {
                    System.clearProperty(Nexus.PROPERTY);
                } else {
                    System.setProperty(Nexus.PROPERTY, previous);
                }
            }
            AgentBuilder agent = builder
                    .disableClassFormatChanges()
                    .with(AgentBuilder.RedefinitionStrategy.RETRANSFORMATION)
                    .with(AgentBuilder.InitializationStrategy.NoOp.INSTANCE)
                    .with(AgentBuilder.TypeStrategy.Default.DECORATE)
                    .with(AgentBuilder.InjectionStrategy.Disabled.INSTANCE)
                    .ignore(agentTypes())
                    .with(new AgentBuilder.Listener.Adapter() {
                        @Override
                        public void onError(String typeName, ClassLoader loader, JavaModule module, boolean loaded,
                                            Throwable throwable) {
                            console.println("safeload: warning: cannot hook " + typeName + ": " + throwable
                                    + "; its model files are not checked when it loads them");
                        }
                    });
            for (TypeInstrumentation library : libraries) {
                agent = agent.type(library.typeMatcher()).transform(library.transformer());
            }
            return agent.makeRaw();
        }
    }
}
