package dev.safeload.instrument.xstream;

import dev.safeload.instrument.edit.EntryHook;
import java.util.List;

/**
 * XStream: its reference-keeping unmarshallers, one per document in the default XPath-relative
 * mode, the absolute XPath and the ID modes. {@code AbstractReferenceUnmarshaller.convert} is
 * entered for every element that becomes an object, with the objects open around it on its
 * {@code parentStack}: deeper than {@code serial.maxDepth} is refused. Each subclass's
 * {@code getReferenceKey} is entered for every {@code reference="..."} attribute, before the
 * object it names is handed to the container that will hash it: its expanded size is spent
 * from the document's {@code serial.maxWork} ({@code XStreamBridge.reference}). In every mode,
 * {@code TreeUnmarshaller.convert} samples the document's CPU clock ({@code XStreamBridge.objectRead}).
 */
public final class ReferenceUnmarshallerInstrumentation {

    /** The hooked classes, as constants the agent can read without loading this class. */
    public static final String TRIGGER = "com.thoughtworks.xstream.core.AbstractReferenceUnmarshaller";
    public static final String XPATH = "com.thoughtworks.xstream.core.ReferenceByXPathUnmarshaller";
    public static final String ID = "com.thoughtworks.xstream.core.ReferenceByIdUnmarshaller";
    /** Every mode's unmarshaller, {@code NO_REFERENCES}'s itself: its {@code convert} samples the document's CPU. */
    public static final String TREE = "com.thoughtworks.xstream.core.TreeUnmarshaller";

    private ReferenceUnmarshallerInstrumentation() {
    }

    public static List<EntryHook> hooks(String className) {
        // self(), not hookedClass(): XStream 1.4's Java 1.4 class files cannot name their own class.
        if (className.equals(TREE)) {
            return List.of(EntryHook.at(TREE, "convert").descriptor(
                            "(Ljava/lang/Object;Ljava/lang/Class;Lcom/thoughtworks/xstream/converters/Converter;)Ljava/lang/Object;")
                    .self().argument(1)
                    .throwsReturned("dev.safeload.instrument.xstream.XStreamBridge", "objectRead"));
        }
        if (className.equals(TRIGGER)) {
            return List.of(EntryHook.at(TRIGGER, "convert").descriptor(
                            "(Ljava/lang/Object;Ljava/lang/Class;Lcom/thoughtworks/xstream/converters/Converter;)Ljava/lang/Object;")
                    .self().argument(1)
                    .throwsReturned("dev.safeload.instrument.xstream.XStreamBridge", "depth"));
        }
        return List.of(EntryHook.at(className, "getReferenceKey").descriptor("(Ljava/lang/String;)Ljava/lang/Object;")
                .self().argument(0)
                .throwsReturned("dev.safeload.instrument.xstream.XStreamBridge", "reference"));
    }
}
