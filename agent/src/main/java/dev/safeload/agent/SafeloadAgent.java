package dev.safeload.agent;

import dev.safeload.config.ConfigException;
import dev.safeload.config.ConfigKey;
import dev.safeload.config.PolicyCompiler;
import dev.safeload.config.Settings;
import dev.safeload.policy.Policy;
import dev.safeload.report.LogSettings;
import java.io.PrintStream;
import java.lang.instrument.Instrumentation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

/** The agent's entry points: {@code premain} at JVM start, {@code agentmain} when attached to a running JVM. */
public final class SafeloadAgent {

    /** Exit status when the configuration is invalid and {@code onConfigError=fail}. */
    public static final int EXIT_INVALID_CONFIG = 78;

    private static volatile boolean started;
    private static volatile boolean attachedStart;

    private SafeloadAgent() {
    }

    public static void premain(String options, Instrumentation inst) {
        // Agent options outrank every other source: an off among them needs not even the environment.
        if ("off".equalsIgnoreCase(lenient(ConfigKey.MODE, options, null, null))) {
            off(System.err, false);
            return;
        }
        start(options, inst, System.getProperties(), System.getenv(), System.err, false);
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
            attachResult(AttachResult.ERROR, "the agent failed to start: " + e);
            System.err.println("safeload: the agent failed to start: " + e);
        }
    }

    /**
     * System property of the target JVM where an attached agent leaves its outcome, as
     * {@code <sequence> <status> <message>}: a channel the attach API can read back. Not under
     * {@code safeload.}, which names configuration keys.
     */
    public static final String ATTACH_RESULT_PROPERTY = "dev.safeload.attach.result";

    /** How an attach ended, as {@code attach} reads it from {@link #ATTACH_RESULT_PROPERTY}. */
    enum AttachResult {
        STARTED, APPLIED, OFF, REFUSED, ERROR;

        String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private static int attachSequence;

    private static synchronized void attachResult(AttachResult result, String message) {
        attachSequence++;
        System.setProperty(ATTACH_RESULT_PROPERTY, attachSequence + " " + result.label() + " " + message);
    }

    static void start(String options, Instrumentation inst, Properties systemProperties,
                      Map<String, String> environment, PrintStream console, boolean attached) {
        attachedStart = attached;
        if (started) {
            if (attached) {
                attachAgain(options, console);
            } else {
                console.println("safeload: already running in this JVM; ignoring a second start");
            }
            return;
        }
        // mode=off reads its options and returns: the agent options, -D and the environment
        // outrank a policy file, so an off among them is final without reading anything else.
        if ("off".equalsIgnoreCase(lenient(ConfigKey.MODE, options, systemProperties, environment))) {
            off(console, attached);
            return;
        }
        Settings settings;
        Policy policy;
        LogSettings log;
        try {
            settings = Settings.resolve(options, systemProperties, environment);
            if ("off".equalsIgnoreCase(settings.get(ConfigKey.MODE).strip())) {
                // Off from the policy file: nothing else of the configuration is compiled or
                // checked until protection is switched on, by a restart or an attach.
                for (String warning : settings.warnings()) {
                    console.println("safeload: warning: " + warning);
                }
                off(console, attached);
                return;
            }
            policy = PolicyCompiler.compile(settings);
            log = AgentLog.settings(settings);
        } catch (ConfigException e) {
            if (!startWithDefaultsOnError(options, systemProperties, environment)) {
                console.println("safeload: invalid configuration: " + e.getMessage());
                if (attached) {
                    attachResult(AttachResult.ERROR, "invalid configuration: " + e.getMessage());
                    return;
                }
                console.println("safeload: refusing to start the JVM (fail closed). Fix the configuration,"
                        + " or set onConfigError=defaults to start with the built-in policy instead.");
                System.exit(EXIT_INVALID_CONFIG);
                return;
            }
            console.println("safeload: invalid configuration: " + e.getMessage());
            console.println("safeload: onConfigError=defaults: starting with the built-in policy in enforce mode");
            settings = Settings.defaults();
            try {
                policy = PolicyCompiler.compile(settings);
                log = AgentLog.settings(settings);
            } catch (ConfigException impossible) {
                throw new IllegalStateException("the built-in defaults are invalid", impossible);
            }
        }
        for (String warning : settings.warnings()) {
            console.println("safeload: warning: " + warning);
        }

        String policyFile = lenient(ConfigKey.POLICY, options, systemProperties, environment);
        boolean jmx = !"false".equalsIgnoreCase(lenient(ConfigKey.JMX, options, systemProperties, environment));
        boolean allowLoosening = "true".equalsIgnoreCase(settings.get(ConfigKey.RUNTIME_ALLOW_LOOSENING));
        Path watched = policyFile == null || policyFile.isEmpty() ? null : Path.of(policyFile);
        started = true;
        if (!AgentRuntime.start(policy, log, inst, console, options, environment, watched, jmx, allowLoosening,
                attached)) {
            started = false;
            return;
        }
        console.println("safeload: settings: " + settings.effectiveSources());
        if (watched != null) {
            warnIfWritable(watched, console);
        }
        if (attached) {
            attachResult(AttachResult.STARTED, policy.mode().label() + " mode, " + policy.source());
        }
    }

    /**
     * Mode off: nothing installed, no transformer, log, thread or MBean; the agent stays
     * unstarted, so an {@code attach} can still start it with protection on.
     */
    private static void off(PrintStream console, boolean attached) {
        console.println("safeload: mode off; nothing installed");
        if (attached) {
            attachResult(AttachResult.OFF, "mode off; nothing installed");
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

    /** A second attach: apply its options through the raise-only path, or say why not. */
    private static void attachAgain(String options, PrintStream console) {
        AgentRuntime runtime = AgentRuntime.running();
        if (runtime == null) {
            console.println("safeload: the agent is still starting in this JVM; a second attach changes nothing");
            attachResult(AttachResult.REFUSED, "the agent is still starting in this JVM; nothing applied, try again");
            return;
        }
        if (options != null && lenient(ConfigKey.RUNTIME_ALLOW_LOOSENING, options, new Properties(), Map.of()) != null) {
            String why = ConfigKey.RUNTIME_ALLOW_LOOSENING.key() + " can be set only at start, not by a second attach";
            console.println("safeload: " + why);
            attachResult(AttachResult.REFUSED, why);
            return;
        }
        try {
            AgentRuntime.AttachOutcome outcome = runtime.attachAgain(options);
            attachResult(outcome.applied() ? AttachResult.APPLIED : AttachResult.REFUSED, outcome.message());
        } catch (ConfigException e) {
            console.println("safeload: invalid configuration, nothing changed: " + e.getMessage());
            attachResult(AttachResult.ERROR, "invalid configuration: " + e.getMessage());
        }
    }

    static void failClosed(PrintStream console, String why) {
        console.println("safeload: " + why);
        if (attachedStart) {
            attachResult(AttachResult.ERROR, why);
            return;
        }
        console.println("safeload: refusing to start the JVM unprotected (fail closed)");
        System.exit(EXIT_INVALID_CONFIG);
    }

    /** Reads onConfigError leniently, from the sources that do not depend on the policy file. */
    private static boolean startWithDefaultsOnError(String options, Properties sys, Map<String, String> env) {
        return "defaults".equalsIgnoreCase(lenient(ConfigKey.ON_CONFIG_ERROR, options, sys, env));
    }

    /**
     * A key's value from the agent options, system properties or environment, in that order,
     * without validating anything: for what must be known even when the configuration is bad.
     * With {@code sys} null, from the agent options alone.
     */
    static String lenient(ConfigKey key, String options, Properties sys, Map<String, String> env) {
        if (options != null) {
            for (String item : options.split(",")) {
                int eq = item.indexOf('=');
                if (eq > 0 && item.substring(0, eq).strip().equals(key.key())) {
                    return item.substring(eq + 1).strip();
                }
            }
        }
        if (sys == null) {
            return null; // the agent options only
        }
        String value = sys.getProperty(key.systemProperty());
        return value != null ? value.strip() : env.get(key.environmentVariable());
    }

    static String version() {
        String v = SafeloadAgent.class.getPackage().getImplementationVersion();
        return v != null ? v : "dev";
    }
}
