package dev.safeload.instrument.snakeyaml;

import dev.safeload.instrument.edit.EntryHook;
import java.util.List;

/**
 * SnakeYAML: {@code Constructor.getClassForName(String)} is where a global tag
 * ({@code !!java.io.FileOutputStream}, {@code !!javax.script.ScriptEngineManager}, CVE-2022-1471)
 * becomes a class, before {@code Class.forName} initialises it. Every tag of a document goes
 * through it (SnakeYAML 1.x and 2.x, where 2.x's tag inspector lets the tag through at all).
 *
 * <p>{@code Constructor.getClassForNode(Node)} answers from the instance's {@code typeTags} cache
 * before it asks {@code getClassForName}, so a long-lived {@code Yaml} asks for each tag once.
 * The hook there hands the gate the tag on every tagged node, so a class let through in audit
 * mode or under a looser policy is judged again when the policy tightens.
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
        EntryHook lookup = EntryHook.at(className, "getClassForName").descriptor("(Ljava/lang/String;)Ljava/lang/Class;")
                .constant("snakeyaml").constant(ENTRY_POINT).argument(0).hookedClass().constant(EXCEPTION)
                .throwsReturned("dev.safeload.deser.DeserializerGate", "checkClassName");
        if (!className.equals(TRIGGER)) {
            return List.of(lookup); // the subclass inherits getClassForNode, hooked in Constructor
        }
        // getClassForNode dereferences the node first thing (typeTags.get(node.getTag())), so the getters cannot meet null.
        EntryHook cacheHit = EntryHook.at(className, "getClassForNode")
                .descriptor("(Lorg/yaml/snakeyaml/nodes/Node;)Ljava/lang/Class;")
                .constant("snakeyaml").constant(ENTRY_POINT)
                .argument(0).then("org/yaml/snakeyaml/nodes/Node", "getTag", "()Lorg/yaml/snakeyaml/nodes/Tag;")
                .then("org/yaml/snakeyaml/nodes/Tag", "getValue", "()Ljava/lang/String;")
                .hookedClass().constant(EXCEPTION)
                .throwsReturned("dev.safeload.deser.DeserializerGate", "checkCachedTag");
        return List.of(lookup, cacheHit);
    }
}
