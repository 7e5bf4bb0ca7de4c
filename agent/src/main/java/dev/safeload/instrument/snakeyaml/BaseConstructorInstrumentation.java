package dev.safeload.instrument.snakeyaml;

import dev.safeload.instrument.edit.EntryHook;
import java.util.List;

/**
 * SnakeYAML: {@code BaseConstructor.getSingleData(Class)} is where {@code Yaml.loadAs(text,
 * Config.class)} hands over the root type the application chose; SnakeYAML then looks that class
 * up by name like a tag, and the guard must not judge the application's own choice as the
 * document's. {@code BaseConstructor.getData()}, which reads each of {@code loadAll}'s documents,
 * has no root of the application's and clears the one an earlier {@code loadAs} left.
 *
 * <p>{@code BaseConstructor.constructDocument(Node)} runs once per document ({@code load},
 * {@code loadAs}, each of {@code loadAll}'s), with the composed node graph and nothing of it
 * constructed yet: where the depth and work budgets judge how far its aliases expand it
 * ({@link dev.safeload.deser.YamlDocumentBudget}), and where the document's CPU clock starts.
 * {@code BaseConstructor.constructObject(Node)}, entered for every node, samples that clock.
 */
public final class BaseConstructorInstrumentation {

    /** The hooked class, as a constant the agent can read without loading this class. */
    public static final String TRIGGER = "org.yaml.snakeyaml.constructor.BaseConstructor";

    private BaseConstructorInstrumentation() {
    }

    public static List<EntryHook> hooks() {
        return List.of(EntryHook.at(TRIGGER, "getSingleData").descriptor("(Ljava/lang/Class;)Ljava/lang/Object;")
                        .argument(0).calls("dev.safeload.deser.DeserializerGate", "applicationChoseRoot"),
                EntryHook.at(TRIGGER, "constructDocument")
                        .descriptor("(Lorg/yaml/snakeyaml/nodes/Node;)Ljava/lang/Object;")
                        .self().calls("dev.safeload.deser.ReferenceBudget", "documentStarts"),
                EntryHook.at(TRIGGER, "constructDocument")
                        .descriptor("(Lorg/yaml/snakeyaml/nodes/Node;)Ljava/lang/Object;")
                        .constant("snakeyaml").constant(ConstructorInstrumentation.ENTRY_POINT).argument(0)
                        // Whether the walk can be skipped, read in SnakeYAML's classes: field reads the JIT inlines.
                        .self().through("dev.safeload.deser.YamlDocumentBudget", "composedHeight", "I")
                        .argument(0).through("dev.safeload.deser.YamlDocumentBudget", "span", "I")
                        .hookedClass().constant(ConstructorInstrumentation.EXCEPTION)
                        .throwsReturned("dev.safeload.deser.YamlDocumentBudget", "checkDocument"),
                EntryHook.at(TRIGGER, "constructObject").descriptor("(Lorg/yaml/snakeyaml/nodes/Node;)Ljava/lang/Object;")
                        .constant("snakeyaml").constant(ConstructorInstrumentation.ENTRY_POINT).self().argument(0)
                        .hookedClass().constant(ConstructorInstrumentation.EXCEPTION)
                        .throwsReturned("dev.safeload.deser.YamlDocumentBudget", "objectRead"),
                // loadAll's documents: no root of the application's, so none left from an earlier loadAs.
                EntryHook.at(TRIGGER, "getData").descriptor("()Ljava/lang/Object;")
                        .calls("dev.safeload.deser.DeserializerGate", "applicationChoseNoRoot"));
    }
}
