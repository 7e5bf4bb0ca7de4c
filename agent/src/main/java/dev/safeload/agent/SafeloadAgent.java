package dev.safeload.agent;

import dev.safeload.Version;
import java.io.PrintStream;
import java.lang.instrument.Instrumentation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

/**
 * The agent's entry points: {@code premain} at JVM start, {@code agentmain} when attached to a
 * running JVM. The start itself is {@link AgentStart}'s.
 *
 * <p>Every class of the agent, this one included, is a boot class: the jar's manifest names the
 * jar itself in {@code Boot-Class-Path}, which the JVM appends before it loads this class
 * (agent/pom.xml; BENCHMARKS.md, "Session 9"). So {@code getClassLoader()} of an agent class is
 * null, and a resource of the jar is found through the system class loader, which asks the boot
 * path first. A renamed jar runs from the application class loader instead, as the commands do.
 */
public final class SafeloadAgent {

    /** Exit status when the configuration is invalid and {@code onConfigError=fail}. */
    public static final int EXIT_INVALID_CONFIG = 78;

    /** Whether the start in progress or done was an attach: {@link #failClosed} must not stop a serving JVM. */
    static volatile boolean attachedStart;

    private SafeloadAgent() {
    }

    public static void premain(String options, Instrumentation inst) {
        // Agent options outrank every other source: an off among them needs not even the
        // environment, and loads no other class of the agent. So this class names no agent type
        // in a method's signature (the JVM finds premain by reflection, which loads every
        // declared method's parameter types) nor in a handler (verifying it loads those): the
        // start is AgentStart's.
        if ("off".equalsIgnoreCase(optionValue(MODE_KEY, options))) {
            off(System.err, false);
            return;
        }
        start(options, inst, System.getProperties(), System.getenv(), System.err, false);
    }

    /** {@code ConfigKey.MODE}'s name, as a constant: loading the key enum is not needed to find an off. */
    static final String MODE_KEY = "mode";

    /** The value of {@code key} among the agent options, without validating anything; or null. */
    static String optionValue(String key, String options) {
        if (options != null) {
            for (String item : options.split(",")) {
                int eq = item.indexOf('=');
                if (eq > 0 && item.substring(0, eq).strip().equals(key)) {
                    return item.substring(eq + 1).strip();
                }
            }
        }
        return null;
    }

    /**
     * Attached to a running JVM: the same start, except that a problem never stops a JVM that is
     * already serving. The outcome goes to one {@code safeload:} line on the target's stderr and
     * to {@link #ATTACH_RESULT_PROPERTY}, which {@code attach} reads back; nothing is thrown,
     * since an exception out of agentmain makes the JVM print its stack and an ASSERTION FAILED.
     */
    public static void agentmain(String options, Instrumentation inst) {
        try {
            start(options, inst, System.getProperties(), System.getenv(), System.err, true);
        } catch (RuntimeException | LinkageError e) {
            AgentStart.attachResult(AgentStart.AttachResult.ERROR, "the agent failed to start: " + e);
            System.err.println("safeload: the agent failed to start: " + e);
        }
    }

    /**
     * System property of the target JVM where an attached agent leaves its outcome, as
     * {@code <sequence> <status> <message>}: a channel the attach API can read back. Not under
     * {@code safeload.}, which names configuration keys.
     */
    public static final String ATTACH_RESULT_PROPERTY = "dev.safeload.attach.result";

    /** See {@link AgentStart#start}. */
    static void start(String options, Instrumentation inst, Properties systemProperties,
                      Map<String, String> environment, PrintStream console, boolean attached) {
        AgentStart.start(options, inst, systemProperties, environment, console, attached);
    }

    /**
     * Mode off: nothing installed, no transformer, log, thread or MBean; the agent stays
     * unstarted, so an {@code attach} can still start it with protection on.
     */
    static void off(PrintStream console, boolean attached) {
        console.println("safeload: mode off; nothing installed");
        if (attached) {
            AgentStart.attachResult(AgentStart.AttachResult.OFF, "mode off; nothing installed");
        }
    }

    /**
     * The watched policy file is the one thing a compromised process of the same user could
     * edit to lower protection; say so once, at start (docs/operations.md shows a read-only mount).
     */
    static void warnIfWritable(Path policyFile, PrintStream console) {
        Path absolute = policyFile.toAbsolutePath();
        Path dir = absolute.getParent();
        boolean fileWritable = Files.isWritable(absolute);
        boolean dirWritable = dir != null && Files.isWritable(dir);
        if (fileWritable || dirWritable) {
            console.println("safeload: warning: the policy file " + absolute + " is writable by this JVM's own user ("
                    + (fileWritable ? "the file" : "its folder") + "); code running as that user could edit what the"
                    + " agent reloads. Mount it read-only (see docs/operations.md)");
        }
    }

    static void failClosed(PrintStream console, String why) {
        console.println("safeload: " + why);
        if (attachedStart) {
            AgentStart.attachResult(AgentStart.AttachResult.ERROR, why);
            return;
        }
        console.println("safeload: refusing to start the JVM unprotected (fail closed)");
        System.exit(EXIT_INVALID_CONFIG);
    }

    /** The build's version: a constant, since reading the manifest costs the host's start ({@link Version}). */
    static String version() {
        return Version.VERSION;
    }
}
