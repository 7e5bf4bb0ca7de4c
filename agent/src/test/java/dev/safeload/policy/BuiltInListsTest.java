package dev.safeload.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link BuiltInLists} holds what the agent jar's pattern files say, entry for entry. */
class BuiltInListsTest {

    @Test
    void eachConstantIsItsFile() {
        same("serial-defaults.txt", "SERIAL_DEFAULTS", BuiltInLists.SERIAL_DEFAULTS);
        same("serial-gadgets.txt", "SERIAL_GADGETS", BuiltInLists.SERIAL_GADGETS);
        same("serial-jdk-scoped.txt", "SERIAL_JDK_SCOPED", BuiltInLists.SERIAL_JDK_SCOPED);
    }

    /** On a difference, the message is the constant to paste into {@link BuiltInLists}. */
    private static void same(String file, String constant, List<String> inClass) {
        List<String> inFile = Presets.readPatternFile("/dev/safeload/policy/" + file);
        StringBuilder paste = new StringBuilder("    static final List<String> " + constant + " = List.of(\n");
        for (int i = 0; i < inFile.size(); i++) {
            paste.append("            \"").append(inFile.get(i)).append('"').append(i + 1 < inFile.size() ? ",\n" : ");\n");
        }
        assertEquals(inFile, inClass, file + " and BuiltInLists." + constant + " differ; paste:\n" + paste);
    }
}
