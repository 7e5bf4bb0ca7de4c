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

/** The agent's entry points: {@code premain} at JVM start ({@code agentmain} comes with attach). */
public final class SafeloadAgent {

    /** Exit status when the configuration is invalid and {@code onConfigError=fail}. */
    public static final int EXIT_INVALID_CONFIG = 78;

    private static volatile boolean started;

    private SafeloadAgent() {
    }

    public static void premain(String options, Instrumentation inst) {
        start(options, inst, System.getProperties(), System.getenv(), System.err);
    }

    static void start(String options, Instrumentation inst, Properties systemProperties,
                      Map<String, String> environment, PrintStream console) {
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
        AgentRuntime.start(policy, log, inst, systemProperties, console);
    }

    static void failClosed(PrintStream console, String why) {
        console.println("safeload: " + why);
        console.println("safeload: refusing to start the JVM unprotected (fail closed)");
        System.exit(EXIT_INVALID_CONFIG);
    }

    /** Reads onConfigError leniently, from the sources that do not depend on the policy file. */
    private static boolean startWithDefaultsOnError(String options, Properties sys, Map<String, String> env) {
        String key = ConfigKey.ON_CONFIG_ERROR.key();
        if (options != null) {
            for (String item : options.split(",")) {
                if (item.strip().equals(key + "=defaults")) {
                    return true;
                }
            }
        }
        return "defaults".equals(sys.getProperty(ConfigKey.ON_CONFIG_ERROR.systemProperty()))
                || "defaults".equals(env.get(ConfigKey.ON_CONFIG_ERROR.environmentVariable()));
    }

    static String version() {
        String v = SafeloadAgent.class.getPackage().getImplementationVersion();
        return v != null ? v : "dev";
    }
}
