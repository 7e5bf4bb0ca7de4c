package dev.safeload.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Presets splits lines by hand (no reader classes on premain's path); the lists must be what a reader gives. */
class PresetsReadTest {

    private static List<String> byReader(String text) throws IOException {
        List<String> lines = new ArrayList<>();
        try (BufferedReader reader = new BufferedReader(new StringReader(text))) {
            for (String line; (line = reader.readLine()) != null; ) {
                int hash = line.indexOf('#');
                String pattern = (hash >= 0 ? line.substring(0, hash) : line).trim();
                if (!pattern.isEmpty()) {
                    lines.add(pattern);
                }
            }
        }
        return lines;
    }

    @Test
    void everyBuiltInListReadsAsABufferedReaderReadsIt() throws Exception {
        Path root = Path.of("src/main/resources");
        List<Path> files;
        try (Stream<Path> walk = Files.walk(root)) {
            files = walk.filter(p -> p.toString().endsWith(".txt")).toList();
        }
        assertTrue(files.size() >= 8, "found " + files);
        for (Path file : files) {
            String resource = "/" + root.relativize(file).toString().replace('\\', '/');
            String text = Files.readString(file, StandardCharsets.UTF_8);
            assertEquals(byReader(text), Presets.readPatternFile(resource), resource);
        }
    }

    @Test
    void builtInListsPassEveryCheckTheirCompileSkips() {
        for (String list : List.of("serial-defaults.txt", "serial-gadgets.txt")) {
            List<String> entries = Presets.read("/dev/safeload/policy/" + list);
            assertEquals(ClassPatterns.of(entries).patterns(), ClassPatterns.builtIn(entries).patterns(), list);
        }
        for (String list : List.of("safe-globals.txt", "dangerous-globals.txt")) {
            String resource = "/dev/safeload/model/pickle/" + list;
            assertEquals(ClassPatterns.of(Presets.read(resource)).patterns(), Presets.builtInList(resource).patterns(), list);
        }
        assertEquals(Presets.defaultAllow().patterns(), ClassPatterns.of(Presets.read("/dev/safeload/policy/serial-defaults.txt")).patterns());
        assertEquals(Presets.gadgetDeny().patterns(), ClassPatterns.of(Presets.read("/dev/safeload/policy/serial-gadgets.txt")).patterns());
        List<String> scoped = Presets.read("/dev/safeload/policy/serial-jdk-scoped.txt");
        assertTrue(scoped.size() > 5, "scoped " + scoped);
        List<ScopedRule> checked = ScopedRule.parseAll(scoped, true);
        List<ScopedRule> builtIn = Presets.defaultScopedAllow();
        assertEquals(checked.size(), builtIn.size());
        for (int i = 0; i < checked.size(); i++) {
            assertEquals(checked.get(i).text(), builtIn.get(i).text());
            assertEquals(checked.get(i).classes().patterns(), builtIn.get(i).classes().patterns());
            assertEquals(checked.get(i).scope().patterns(), builtIn.get(i).scope().patterns());
            assertTrue(builtIn.get(i).allow());
        }
        // What the start compiles of them: their class patterns, in the same order.
        List<String> classes = new ArrayList<>();
        for (ScopedRule rule : builtIn) {
            classes.addAll(rule.classes().patterns());
        }
        assertEquals(classes, Presets.defaultScopedClasses());
        // The start's one pass over the list's text makes the set the lists made, repeats dropped.
        assertEquals(ClassPatterns.builtIn(classes).patterns(), Presets.defaultScopedClassPatterns().patterns());
        for (String name : classes) {
            assertEquals(name, Presets.defaultScopedClassPatterns().match(name));
        }
        assertEquals(null, Presets.defaultScopedClassPatterns().match("javax.management.ObjectNameX"));
    }

    @Test
    void aBadPatternInABuiltInListWouldFailTheCheck() {
        // The check above can fail: the same comparison on an invalid entry throws.
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> ClassPatterns.of(List.of("java.util.*Map")));
        assertEquals(List.of("java.util.*Map"), ClassPatterns.builtIn(List.of("java.util.*Map")).patterns());
    }

    @Test
    void splitsAtEveryLineEndAReaderKnows() throws Exception {
        String text = "a.B # c\r\nd.E\rf.G\n\n  # only a comment\n\r\nh.I";
        // Through the class loader as the real lists are: a resource of the test classes.
        Path classes = Path.of("target/test-classes/dev/safeload/policy");
        Files.createDirectories(classes);
        Files.writeString(classes.resolve("line-ends.txt"), text);
        assertEquals(byReader(text), Presets.readPatternFile("/dev/safeload/policy/line-ends.txt"));
        assertEquals(List.of("a.B", "d.E", "f.G", "h.I"), Presets.readPatternFile("/dev/safeload/policy/line-ends.txt"));
    }
}
