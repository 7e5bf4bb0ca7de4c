package dev.safeload.policy;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;

/**
 * Built-in pattern lists shipped in the agent jar: the default allowlist, the gadget denylist,
 * and one allowlist per ML library whose models are Java-serialized.
 */
public final class Presets {

    /** The presets a user can name in {@code serial.presets}. */
    public static final List<String> NAMES = List.of("weka", "smile", "tribuo", "corenlp");

    private static final String BASE = "/dev/safeload/policy/";

    private Presets() {
    }

    /** JDK value types and collections: what every stream may hold. */
    public static ClassPatterns defaultAllow() {
        return ClassPatterns.builtInText(BuiltInLists.SERIAL_DEFAULTS); // serial-defaults.txt
    }

    /**
     * Scoped allows every JVM needs: the JDK's own RMI transport and JMX connector exchange
     * object names, attributes, leases and marshalled objects, and only there are they allowed.
     */
    public static java.util.List<ScopedRule> defaultScopedAllow() {
        return ScopedRule.parseBuiltIn(lines(BuiltInLists.SERIAL_JDK_SCOPED), true); // serial-jdk-scoped.txt
    }

    /**
     * The class patterns of {@link #defaultScopedAllow}'s rules (each entry's part before the
     * {@code @}): what the start compiles of them ({@link SerialPolicy#withJdkScoped}).
     */
    static List<String> defaultScopedClasses() {
        List<String> classes = new ArrayList<>();
        for (String entry : lines(BuiltInLists.SERIAL_JDK_SCOPED)) { // serial-jdk-scoped.txt
            int at = entry.indexOf('@');
            classes.add(at > 0 ? entry.substring(0, at) : entry); // a bad entry fails in defaultScopedAllow, PresetsReadTest
        }
        return classes;
    }

    /**
     * {@link #defaultScopedClasses} as one pattern set, compiled from the list's text in one pass:
     * what the start makes of them when the policy has no scoped rule of its own.
     */
    static ClassPatterns defaultScopedClassPatterns() {
        return ClassPatterns.builtInClassesOfScoped(BuiltInLists.SERIAL_JDK_SCOPED); // serial-jdk-scoped.txt
    }

    /** Classes that only gadget chains need; refused even if an allow pattern covers them. */
    public static ClassPatterns gadgetDeny() {
        return ClassPatterns.builtInText(BuiltInLists.SERIAL_GADGETS); // serial-gadgets.txt
    }

    /**
     * The allowlist of a named preset.
     *
     * @throws IllegalArgumentException naming the known presets when {@code name} is not one
     */
    public static ClassPatterns preset(String name) {
        if (!NAMES.contains(name)) {
            throw new IllegalArgumentException("unknown preset \"" + name + "\"; known presets: "
                    + String.join(", ", NAMES));
        }
        return ClassPatterns.of(read(BASE + "presets/" + name + ".txt"));
    }

    /**
     * A pattern list the agent ships (the pickle globals), compiled as the serial lists are,
     * without {@link ClassPatterns#of}'s per-character checks, which {@code PresetsReadTest} runs on
     * it: the pickle lists are compiled at the first model load, usually the host's start.
     */
    public static ClassPatterns builtInList(String resource) {
        return ClassPatterns.builtIn(read(resource));
    }

    /** The entries of a pattern file in the agent jar: one a line, without comments and blank lines. */
    public static List<String> readPatternFile(String resource) {
        return read(resource);
    }

    static List<String> read(String resource) {
        // All bytes, then lines by hand (as BufferedReader.readLine splits them): the reader and
        // charset decoder classes are ten more on premain's path, which reads these files.
        String text;
        try {
            byte[] bytes = bytes(resource);
            if (bytes == null) {
                throw new IllegalStateException("safeload jar is missing " + resource);
            }
            text = new String(bytes, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource, e);
        }
        return lines(text);
    }

    /** The entries of a pattern list's text: one a line, without comments and blank lines. */
    static List<String> lines(String text) {
        List<String> lines = new ArrayList<>();
        if (text.indexOf('\r') < 0) {
            // The lists as shipped: lines found by String.indexOf, JDK code the whole start calls,
            // rather than a loop of ours over every character, run in the interpreter at premain.
            for (int start = 0; start < text.length(); ) {
                int end = text.indexOf('\n', start);
                if (end < 0) {
                    end = text.length();
                }
                add(lines, text.substring(start, end));
                start = end + 1;
            }
            return lines;
        }
        for (int start = 0; start < text.length(); ) {
            int end = start;
            while (end < text.length() && text.charAt(end) != '\n' && text.charAt(end) != '\r') {
                end++;
            }
            add(lines, text.substring(start, end));
            start = end < text.length() && text.charAt(end) == '\r' && end + 1 < text.length()
                    && text.charAt(end + 1) == '\n' ? end + 2 : end + 1;
        }
        return lines;
    }

    /** Adds the pattern of {@code line}, if it holds one: what is left of it without a comment and white space. */
    private static void add(List<String> lines, String line) {
        int hash = line.indexOf('#');
        String pattern = (hash >= 0 ? line.substring(0, hash) : line).trim();
        if (!pattern.isEmpty()) {
            lines.add(pattern);
        }
    }

    /**
     * A resource of the agent's own jar, read through {@link JarFile}: the class loader's
     * {@code getResourceAsStream} goes through a {@code jar:} URL and {@code JarURLConnection},
     * 12 classes on premain's path, while the JDK shares the index of a jar it already has open.
     * From a folder of classes (the unit tests), through the class loader.
     */
    private static byte[] bytes(String resource) throws IOException {
        CodeSource source = Presets.class.getProtectionDomain().getCodeSource();
        URL location = source == null ? null : source.getLocation();
        if (location != null && "file".equals(location.getProtocol()) && location.getPath().endsWith(".jar")) {
            File file;
            try {
                file = new File(location.toURI());
            } catch (URISyntaxException | IllegalArgumentException e) {
                file = null;
            }
            if (file != null && file.isFile()) {
                try (JarFile jar = new JarFile(file, false)) {
                    ZipEntry entry = jar.getEntry(resource.substring(1));
                    if (entry != null) {
                        try (InputStream in = jar.getInputStream(entry)) {
                            return in.readAllBytes();
                        }
                    }
                }
            }
        }
        // Not in a jar, or not in this one: wherever the class loader finds it, as before.
        try (InputStream in = Presets.class.getResourceAsStream(resource)) {
            return in == null ? null : in.readAllBytes();
        }
    }
}
