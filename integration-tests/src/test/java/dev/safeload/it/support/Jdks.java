package dev.safeload.it.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** The JDKs the forked JVMs run on: the one running the tests (17), and a JDK 25 if installed. */
public final class Jdks {

    /** A JDK: its feature version and its java launcher. */
    public record Jdk(int feature, Path java) {
        @Override
        public String toString() {
            return "JDK " + feature;
        }
    }

    private static final List<Jdk> ALL = discover();

    private Jdks() {
    }

    /** The JDK running the tests. */
    public static Jdk current() {
        return ALL.get(0);
    }

    /**
     * The JDKs to test on. A missing JDK 25 is reported by {@link #jdk25Notice()} and its
     * tests are skipped with that notice, never silently dropped.
     */
    public static List<Jdk> all() {
        return ALL;
    }

    /** The JDKs to run parameterised tests on: each present JDK, with 25 always named. */
    public static Stream<Jdk> forTests() {
        if (ALL.size() == 1) {
            if (Boolean.getBoolean("it.requireJdk25")) {
                throw new IllegalStateException("CI requires the JDK 25 run, but " + jdk25Notice());
            }
            System.out.println("NOTICE: " + jdk25Notice());
            System.err.println("NOTICE: " + jdk25Notice());
        }
        return ALL.stream();
    }

    /** Why JDK 25 tests are skipped, or null when a JDK 25 was found. */
    public static String jdk25Notice() {
        return ALL.size() > 1 ? null
                : "no JDK 25 found (set JDK25_HOME or install one under /usr/lib/jvm); JDK 25 tests are skipped";
    }

    private static List<Jdk> discover() {
        List<Jdk> jdks = new ArrayList<>();
        jdks.add(new Jdk(Runtime.version().feature(), Path.of(System.getProperty("java.home"), "bin", "java")));
        Path jdk25 = find25();
        if (jdk25 != null) {
            jdks.add(new Jdk(25, jdk25));
        }
        return List.copyOf(jdks);
    }

    private static Path find25() {
        String env = System.getenv("JDK25_HOME");
        if (env != null && Files.isExecutable(Path.of(env, "bin", "java"))) {
            return Path.of(env, "bin", "java");
        }
        Path jvms = Path.of("/usr/lib/jvm");
        if (!Files.isDirectory(jvms)) {
            return null;
        }
        try (Stream<Path> dirs = Files.list(jvms)) {
            return dirs.filter(d -> d.getFileName().toString().matches(".*(-|jdk)25([.-].*)?"))
                    .map(d -> d.resolve("bin/java"))
                    .filter(Files::isExecutable)
                    .sorted()
                    .findFirst()
                    .orElse(null);
        } catch (IOException e) {
            return null;
        }
    }
}
