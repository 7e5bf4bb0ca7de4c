package dev.safeload.instrument.jpmml;

import dev.safeload.instrument.edit.EntryHook;
import dev.safeload.model.gate.ModelLoadGate;
import java.util.List;

/**
 * JPMML: {@code PMMLUtil.unmarshal(InputStream)} reads PMML XML, checked first (the stream is
 * read whole and handed on); {@code PMMLUtil.load(URL)} puts the URL on a new class loader and
 * instantiates the PMML class its {@code META-INF/services} names, i.e. runs the archive's code,
 * and is refused unless the archive is in {@code model.trustedDirs}.
 */
public final class PMMLUtilInstrumentation {

    /** The hooked class, as a constant the agent can read without loading this class. */
    public static final String TRIGGER = "org.jpmml.model.PMMLUtil";

    private PMMLUtilInstrumentation() {
    }

    public static List<EntryHook> hooks() {
        return List.of(
                EntryHook.at(TRIGGER, "unmarshal").arguments(1).firstParameter("java.io.InputStream")
                        .constant("jpmml").constant("org.jpmml.model.PMMLUtil.unmarshal").argument(0).hookedClass()
                        .constant("org.xml.sax.SAXException")
                        .replacesArgument(0, ModelLoadGate.class.getName(), "checkArgument"),
                EntryHook.at(TRIGGER, "load").arguments(1).firstParameter("java.net.URL")
                        .constant("jpmml").constant("org.jpmml.model.PMMLUtil.load").argument(0).hookedClass()
                        .constant("java.io.IOException")
                        .throwsReturned(ModelLoadGate.class.getName(), "checkCodeArchive"));
    }
}
