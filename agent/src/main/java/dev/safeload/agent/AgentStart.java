package dev.safeload.agent;

import dev.safeload.config.ConfigException;
import dev.safeload.config.ConfigKey;
import dev.safeload.config.PolicyCompiler;
import dev.safeload.config.Settings;
import dev.safeload.policy.Policy;
import dev.safeload.report.LogSettings;
import java.io.PrintStream;
import java.lang.instrument.Instrumentation;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

/**
 * The start of the agent, past {@link SafeloadAgent}'s check for {@code mode=off}, with the
 * methods whose signatures name agent types: a class of its own, so that an off start loads no
 * class of the agent but {@link SafeloadAgent} (verifying this one loads {@link ConfigException},
 * which its handlers name; finding premain by reflection loads the types of every signature of
 * the class that declares it).
 */
final class AgentStart {

    private static volatile boolean started;

    private AgentStart() {
    }

    /** Starts the agent, or applies a second attach's options; see {@link SafeloadAgent#agentmain}. */
    static void start(String options, Instrumentation inst, Properties systemProperties,
                      Map<String, String> environment, PrintStream console, boolean attached) {
        SafeloadAgent.attachedStart = attached;
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
            SafeloadAgent.off(console, attached);
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
                SafeloadAgent.off(console, attached);
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
                System.exit(SafeloadAgent.EXIT_INVALID_CONFIG);
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
            SafeloadAgent.warnIfWritable(watched, console);
        }
        if (attached) {
            attachResult(AttachResult.STARTED, policy.mode().label() + " mode, " + policy.source());
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
        if (options != null && SafeloadAgent.optionValue(ConfigKey.RUNTIME_ALLOW_LOOSENING.key(), options) != null) {
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

    /** Reads onConfigError leniently, from the sources that do not depend on the policy file. */
    private static boolean startWithDefaultsOnError(String options, Properties sys, Map<String, String> env) {
        return "defaults".equalsIgnoreCase(lenient(ConfigKey.ON_CONFIG_ERROR, options, sys, env));
    }

    /** How an attach ended, as {@code attach} reads it from {@link SafeloadAgent#ATTACH_RESULT_PROPERTY}. */
    enum AttachResult {
        STARTED, APPLIED, OFF, REFUSED, ERROR;

        String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private static int attachSequence;

    static synchronized void attachResult(AttachResult result, String message) {
        attachSequence++;
        System.setProperty(SafeloadAgent.ATTACH_RESULT_PROPERTY, attachSequence + " " + result.label() + " " + message);
    }

    /**
     * A key's value from the agent options, system properties or environment, in that order,
     * without validating anything: for what must be known even when the configuration is bad.
     */
    static String lenient(ConfigKey key, String options, Properties sys, Map<String, String> env) {
        String fromOptions = SafeloadAgent.optionValue(key.key(), options);
        if (fromOptions != null) {
            return fromOptions;
        }
        String value = sys.getProperty(key.systemProperty());
        return value != null ? value.strip() : env.get(key.environmentVariable());
    }
}
