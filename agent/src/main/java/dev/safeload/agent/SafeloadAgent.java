package dev.safeload.agent;

import dev.safeload.config.ConfigException;
import dev.safeload.config.ConfigKey;
import dev.safeload.config.PolicyCompiler;
import dev.safeload.config.Settings;
import dev.safeload.policy.Mode;
import dev.safeload.policy.Policy;
import dev.safeload.report.LogSettings;
import java.io.PrintStream;
import java.lang.instrument.Instrumentation;
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
        start(options, inst, System.getProperties(), System.getenv(), System.err, false);
    }

    /**
     * Attached to a running JVM: the same start, except that a problem is thrown back to the
     * {@code attach} command instead of stopping a JVM that is already serving.
     */
    public static void agentmain(String options, Instrumentation inst) {
        start(options, inst, System.getProperties(), System.getenv(), System.err, true);
    }

    static void start(String options, Instrumentation inst, Properties systemProperties,
                      Map<String, String> environment, PrintStream console, boolean attached) {
        attachedStart = attached;
        if (started) {
            console.println("safeload: already running in this JVM; ignoring a second start");
            return;
        }
        Settings settings;
        Policy policy;
        LogSettings log;
        try {
            settings = Settings.resolve(options, systemProperties, environment);
            policy = PolicyCompiler.compile(settings);
            log = AgentLog.settings(settings);
        } catch (ConfigException e) {
            if (!startWithDefaultsOnError(options, systemProperties, environment)) {
                console.println("safeload: invalid configuration: " + e.getMessage());
                if (attached) {
                    throw new IllegalArgumentException("safeload: invalid configuration: " + e.getMessage(), e);
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
        if (policy.mode() == Mode.OFF) {
            console.println("safeload: mode off; nothing installed");
            return;
        }

        started = true;
        String policyFile = lenient(ConfigKey.POLICY, options, systemProperties, environment);
        boolean jmx = !"false".equals(lenient(ConfigKey.JMX, options, systemProperties, environment));
        AgentRuntime.start(policy, log, inst, console, policyFile == null ? null
                : new PolicyReloader.Sources(options, environment, java.nio.file.Path.of(policyFile)), jmx);
    }

    static void failClosed(PrintStream console, String why) {
        console.println("safeload: " + why);
        if (attachedStart) {
            throw new IllegalStateException("safeload: " + why);
        }
        console.println("safeload: refusing to start the JVM unprotected (fail closed)");
        System.exit(EXIT_INVALID_CONFIG);
    }

    /** Reads onConfigError leniently, from the sources that do not depend on the policy file. */
    private static boolean startWithDefaultsOnError(String options, Properties sys, Map<String, String> env) {
        return "defaults".equals(lenient(ConfigKey.ON_CONFIG_ERROR, options, sys, env));
    }

    /**
     * A key's value from the agent options, system properties or environment, in that order,
     * without validating anything: for what must be known even when the configuration is bad.
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
        String value = sys.getProperty(key.systemProperty());
        return value != null ? value.strip() : env.get(key.environmentVariable());
    }

    static String version() {
        String v = SafeloadAgent.class.getPackage().getImplementationVersion();
        return v != null ? v : "dev";
    }
}
