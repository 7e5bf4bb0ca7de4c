package dev.safeload.instrument.snakeyaml;

import dev.safeload.instrument.edit.EntryHook;
import java.util.List;

/**
 * SnakeYAML: {@code Constructor.getClassForName(String)} is where a global tag
 * ({@code !!java.io.FileOutputStream}, {@code !!javax.script.ScriptEngineManager}, CVE-2022-1471)
 * becomes a class, before {@code Class.forName} initialises it. Every tag of a document goes
 * through it (SnakeYAML 1.x and 2.x, where 2.x's tag inspector lets the tag through at all).
 */
public final class ConstructorInstrumentation {

    /** The hooked class, as a constant the agent can read without loading this class. */
    public static final String TRIGGER = "org.yaml.snakeyaml.constructor.Constructor";

    /** A subclass whose override does not call the hooked method: its own class loader's lookup. */
    public static final String CUSTOM_LOADER_TRIGGER = "org.yaml.snakeyaml.constructor.CustomClassLoaderConstructor";

    /** The public method the log names when no frame of SnakeYAML's {@code Yaml} is on the stack. */
    static final String ENTRY_POINT = "org.yaml.snakeyaml.Yaml.load";

    /**
     * A ConstructorException (the YAMLException construction errors are): SnakeYAML's own
     * {@code ConstructYamlObject} rethrows it as it is, and wraps any other exception in one
     * whose message starts "Can't construct a java object".
     */
    static final String EXCEPTION = "org.yaml.snakeyaml.constructor.ConstructorException";

    private ConstructorInstrumentation() {
    }

    /** The hook on {@code className}: {@link #TRIGGER} or {@link #CUSTOM_LOADER_TRIGGER}. */
    public static List<EntryHook> hooks(String className) {
        return List.of(EntryHook.at(className, "getClassForName").descriptor("(Ljava/lang/String;)Ljava/lang/Class;")
                .constant("snakeyaml").constant(ENTRY_POINT).argument(0).hookedClass().constant(EXCEPTION)
                .throwsReturned("dev.safeload.deser.DeserializerGate", "checkClassName"));
    }
}
