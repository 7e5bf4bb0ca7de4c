package dev.safeload.model.javaserial;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.safeload.model.Finding;
import dev.safeload.model.ModelSource;
import dev.safeload.policy.ClassPatterns;
import dev.safeload.policy.Presets;
import dev.safeload.policy.SerialLimits;
import dev.safeload.policy.SerialPolicy;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The walker reads the strings inside a code-bearing field's value, wherever the stream puts
 * them: in place, behind a back-reference, or in an object planted earlier in the stream.
 * Streams here are only written and walked, never deserialized.
 */
class CodeBearingFieldTest {

    static final String WEKA_NAME = "weka.classifiers.misc.SerializedClassifier";

    /** The operator allows the class; only the field's content can refuse it. */
    private static final SerialPolicy POLICY = new SerialPolicy(Presets.defaultAllow().plus(
            ClassPatterns.of(List.of(WEKA_NAME, "java.io.File"))), Presets.gadgetDeny(), SerialLimits.DEFAULTS);

    private static List<Finding> walk(Object value) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(value);
        }
        byte[] stream = swapName(bytes.toByteArray());
        return SerialStreamWalker.walk(ModelSource.of("model.ser", stream, null), POLICY);
    }

    private static byte[] swapName(byte[] stream) {
        byte[] from = StandInModel.NAME.getBytes(StandardCharsets.UTF_8);
        byte[] to = WEKA_NAME.getBytes(StandardCharsets.UTF_8);
        assertEquals(from.length, to.length, "the stand-in's name must be as long as Weka's");
        for (int i = 0; i + from.length <= stream.length; i++) {
            if (Arrays.equals(stream, i, i + from.length, from, 0, from.length)) {
                System.arraycopy(to, 0, stream, i, to.length);
                return stream;
            }
        }
        throw new AssertionError("no class name to swap");
    }

    private static String rules(List<Finding> findings) {
        return findings.stream().map(Finding::rule).toList().toString();
    }

    @Test
    void refusesAPathInTheFieldWrittenInPlace() throws IOException {
        List<Finding> findings = walk(new StandInModel(new File("/srv/models/other.model")));
        assertEquals("[serial.field.resource]", rules(findings), findings::toString);
        assertTrue(findings.get(0).message().startsWith(WEKA_NAME + ".m_ModelFile holds \"/srv/models/other.model\""),
                findings.get(0).message());
    }

    @Test
    void passesTheFieldWhenItIsNull() throws IOException {
        assertEquals("[]", rules(walk(new StandInModel(null))));
    }

    @Test
    void refusesAFileReadBeforeTheFieldAndReferencedFromIt() throws IOException {
        // The File is read first as a plain list element, where nobody looks at its strings;
        // the field then holds only a back-reference to it.
        File planted = new File("/srv/models/other.model");
        List<Object> stream = new ArrayList<>(List.of(planted, new StandInModel(planted)));
        List<Finding> findings = walk(stream);
        assertEquals("[serial.field.resource]", rules(findings), findings::toString);
        assertTrue(findings.get(0).message().contains("back-reference"), findings.get(0).message());
    }

    @Test
    void refusesAStringReadBeforeTheFieldAndReferencedFromIt() throws IOException {
        // A String shared with an earlier object is written once; the File's path field then
        // refers back to it.
        String path = "/srv/models/other.model";
        List<Object> stream = new ArrayList<>(List.of(path, new StandInModel(new File(path))));
        List<Finding> findings = walk(stream);
        assertEquals("[serial.field.resource]", rules(findings), findings::toString);
    }

    @Test
    void namesEveryRuleItsFieldAndClass() {
        for (CodeBearingField field : CodeBearingField.values()) {
            assertEquals(field, CodeBearingField.of(field.className, field.fieldName));
            assertTrue(field.rule().startsWith("serial.field."), field::toString);
        }
    }
}
