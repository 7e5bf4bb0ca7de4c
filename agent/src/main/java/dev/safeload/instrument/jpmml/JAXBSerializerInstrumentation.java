package dev.safeload.instrument.jpmml;

import dev.safeload.instrument.edit.EntryHook;
import dev.safeload.model.gate.ModelLoadGate;
import java.util.List;

/**
 * JPMML: {@code JAXBSerializer.deserialize(InputStream)} hands the stream to JAXB as a plain
 * {@code StreamSource}, past JPMML's own SAX parser that refuses a document type declaration;
 * the PMML check (which refuses one too) runs first. The stream is read whole and handed on.
 */
public final class JAXBSerializerInstrumentation {

    /** The hooked class, as a constant the agent can read without loading this class. */
    public static final String TRIGGER = "org.jpmml.model.JAXBSerializer";

    private JAXBSerializerInstrumentation() {
    }

    public static List<EntryHook> hooks() {
        return List.of(EntryHook.at(TRIGGER, "deserialize").arguments(1).firstParameter("java.io.InputStream")
                .constant("jpmml").constant("org.jpmml.model.JAXBSerializer.deserialize").argument(0).hookedClass()
                .constant("jakarta.xml.bind.UnmarshalException")
                .replacesArgument(0, ModelLoadGate.class.getName(), "checkArgument"));
    }
}
