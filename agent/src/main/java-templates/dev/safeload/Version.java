package dev.safeload;

/**
 * The build's version, for the start line, the start event and {@code --version}. A constant
 * written at build time (agent/pom.xml copies this template into generated-sources, filtered):
 * javac inlines it where it is read, so this class never loads. The package's
 * {@code getImplementationVersion()} made the JDK open and inflate the agent jar's manifest in
 * premain: 2 to 5 ms of premain's CPU, 74 classes (BENCHMARKS.md, "Session 10: the map probe").
 */
public final class Version {

    /** The Maven project version, e.g. {@code 0.1.0-SNAPSHOT}. */
    public static final String VERSION = "${project.version}";

    private Version() {
    }
}
