package dev.safeload.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
    private static void same(String file, String constant, String text) {
        List<String> inFile = Presets.readPatternFile("/dev/safeload/policy/" + file);
        StringBuilder paste = new StringBuilder("    static final String " + constant + " = \"# " + file + "\\n\"\n");
        for (int i = 0; i < inFile.size(); i++) {
            paste.append("            + \"").append(inFile.get(i)).append("\\n\"").append(i + 1 < inFile.size() ? "\n" : ";\n");
        }
        assertEquals(inFile, Presets.lines(text), file + " and BuiltInLists." + constant + " differ; paste:\n" + paste);
        // ClassPatterns.builtInText reads the lines as they are: each one entry, trimmed, no comment, none repeated.
        List<String> raw = List.of(text.substring(text.indexOf('\n') + 1).split("\n"));
        assertEquals(inFile, raw, constant + " must hold one entry a line, as pasted:\n" + paste);
        assertEquals(inFile.size(), new java.util.HashSet<>(inFile).size(), file + " repeats an entry");
        assertEquals(inFile, ClassPatterns.builtInText(text).patterns(), constant);
        // Shaded, a constant that starts with org.apache.commons would name the agent's own copy.
        assertTrue(text.startsWith("# " + file + "\n"), constant + " must start with its comment line");
    }
}
