package dev.safeload.agent;

import dev.safeload.config.ConfigException;
import dev.safeload.config.ConfigKey;
import dev.safeload.config.PolicyCompiler;
import dev.safeload.config.Settings;
import dev.safeload.deser.DeserializerGate;
import dev.safeload.instrument.Hooks;
import dev.safeload.model.gate.ModelLoadGate;
import dev.safeload.policy.Mode;
import dev.safeload.policy.Policy;
import dev.safeload.policy.Strictness;
import dev.safeload.report.Event;
import dev.safeload.report.LogSettings;
import dev.safeload.report.Metrics;
import dev.safeload.report.Reporter;
import dev.safeload.serial.SerialGate;
import java.io.ObjectInputFilter;
import java.io.PrintStream;
import java.lang.instrument.Instrumentation;
import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.BinaryOperator;
import java.util.function.Consumer;
import java.util.function.Predicate;
import javax.management.JMException;
import javax.management.ObjectName;

/**
 * The running agent: the serialization and model gates, their reporter, the hooks, policy
 * reloads and the JMX bean. A policy change is one volatile write of an immutable snapshot
 * into each gate.
 */
final class AgentRuntime {

    private final Reporter reporter;
    /** Null until the filter factory is installed: at premain, as the first stream's class loads ({@link #start}). */
    private volatile SerialGate serialGate;
    /**
     * Null until the first class of a hooked library is edited ({@link #installGates}): only
     * edited library code calls them, and most JVMs load one library or none.
     */
    private ModelLoadGate modelGate;
    private DeserializerGate deserializerGate;
    /** Guards the gates' creation and their policy updates, so a gate is never made with a replaced policy. */
    private final Object gateLock = new Object();
    private final PrintStream console;
    /** Fixed at start: run-time changes may lower protection only when the operator opted in then. */
    private final boolean allowLoosening;
    private final Map<String, String> environment;
    private volatile String options;
    private volatile Policy policy;
    /** The policy the agent started with, which the log's first line names whenever the log opens. */
    private final Policy startPolicy;
    /**
     * When the policy in force was applied, in epoch milliseconds: {@link Instant} and its
     * clock are six classes more at premain, read only by the MBean.
     */
    private volatile long appliedAtMillis = System.currentTimeMillis();

    /** The agent running in this JVM, for a second {@code attach}; null until started. */
    private static volatile AgentRuntime running;

    private AgentRuntime(Policy policy, Reporter reporter, PrintStream console, boolean allowLoosening, String options,
                         Map<String, String> environment) {
        this.policy = policy;
        this.startPolicy = policy;
        this.reporter = reporter;
        this.console = console;
        this.allowLoosening = allowLoosening;
        this.options = options;
        this.environment = environment;
    }

    static AgentRuntime running() {
        return running;
    }

    /**
     * @param policyFile the policy file to watch, or null
     * @param attached started by {@code attach} in a running JVM, not at its start
     * @return whether the agent is now running
     */
    static boolean start(Policy policy, LogSettings log, Instrumentation inst, PrintStream console,
                         String options, Map<String, String> environment, java.nio.file.Path policyFile,
                         boolean jmx, boolean allowLoosening, boolean attached) {
        Reporter reporter = new Reporter(log, console, inst);
        AgentRuntime runtime = new AgentRuntime(policy, reporter, console, allowLoosening, options, environment);
        // Hooks first, so that ObjectInputFilter.Config, which installing the factory loads, is
        // hooked as it loads. Hooked classes are transformed as they load (or now, if already
        // loaded), so a library that is never used costs a name check per class load. A failure
        // is printed when it happens. The filter factory checks every stream regardless.
        //
        // At JVM start the factory is installed as ObjectInputStream (or an XMLDecoder handler)
        // loads, before any stream or document can exist: a host that never deserializes pays
        // neither Config's initialisation (java.security, a System.Logger) nor the java.base
        // edits. Installed now when attached, or when -Djdk.serialFilterFactory names a host
        // factory: the JDK would load that host class while ObjectInputStream is loading.
        boolean defer = !attached && System.getProperty("jdk.serialFilterFactory") == null;
        Consumer<Predicate<Class<?>>> firstStream = defer ? new StartTask(runtime, StartTask.FIRST_STREAM, inst, false) : null;
        Hooks hooks = Hooks.install(inst, console, policy.hooks(), firstStream,
                new StartTask(runtime, StartTask.FIRST_HOOK, null, false),
                new StartTask(runtime, StartTask.FIRST_MODEL_HOOK, null, false));
        if (!hooks.deferred()) {
            try {
                runtime.installSerialGate(inst, null);
            } catch (IllegalStateException | ReflectiveOperationException e) {
                SafeloadAgent.failClosed(console, "cannot install the deserialization filter factory: " + e.getMessage());
                return false;
            }
        }
        running = runtime;

        console.println("safeload " + SafeloadAgent.version() + ": " + policy.mode().label() + " mode, "
                + policy.source() + ", violations to " + log.destination());
        if (AgentRuntime.class.getClassLoader() != null && startedFromAJar()) {
            console.println("safeload: notice: the agent jar is not named " + JAR_NAME + ", so its classes load"
                    + " through the application class loader: the same protection, a slower start (README, How it works)");
        }
        reporter.firstLine(new StartTask(runtime, StartTask.START_EVENT, null, false));

        if (policyFile != null) {
            new PolicyReloader(policyFile, runtime::reloadPolicyFile, console).start();
        }
        // The start event (and the policy digest it names) and the JMX bean wait until the host
        // has started: the first event opens the log at once, and the start event stays its
        // first line. The bean waits further, for the JVM to use JMX at all.
        Thread later = new Thread(new StartTask(runtime, StartTask.DEFERRED_START, null, jmx), "safeload-start");
        later.setDaemon(true);
        later.start();
        return true;
    }

    /**
     * Makes the serialization gate the JVM-wide filter factory.
     *
     * @param deferredEdits what the gate runs before the first read of a {@code Hashtable} or {@code ConcurrentHashMap} (see
     *     {@link Hooks#install}), or null
     */
    void installSerialGate(Instrumentation inst, Predicate<Class<?>> deferredEdits) throws ReflectiveOperationException {
        SerialGate gate = FilterFactoryInstaller.install(inst, new SerialGates(policy, reporter, deferredEdits));
        synchronized (this) {
            // A reload that ran meanwhile found no gate to update: give it the policy in force.
            serialGate = gate;
            gate.policy(policy);
        }
    }

    /** The log's first line: the policy the agent started with, as it was then. */
    private Event startEvent() {
        return Event.of("event", "start")
                .put("message", "safeload started in " + startPolicy.mode().label() + " mode")
                .put("event.module", "safeload")
                .put("event.dataset", "safeload.violations")
                .put("safeload.mode", startPolicy.mode().label())
                .put("safeload.policy_source", startPolicy.source())
                .put("safeload.policy_digest", startPolicy.settingsDigest())
                .put("safeload.version", SafeloadAgent.version());
    }

    /**
     * The factory installed as the first class that reads through it loads (see {@link #start}).
     * A failure there stops the JVM at once, as a failure at start does: no stream may run
     * unguarded, and a shutdown hook could need the class the waiting thread is loading.
     * Handed the edits of {@code Hashtable} and {@code ConcurrentHashMap}, or null (see {@link Hooks#install}).
     */
    private void firstStream(Instrumentation inst, Predicate<Class<?>> deferredEdits) {
        try {
            installSerialGate(inst, deferredEdits);
        } catch (Throwable e) { // whatever it is, no stream may run unguarded
            console.println("safeload: cannot install the deserialization filter factory: " + e);
            console.println("safeload: stopping the JVM rather than deserializing unprotected (fail closed)");
            Runtime.getRuntime().halt(SafeloadAgent.EXIT_INVALID_CONFIG);
        }
    }

    /**
     * The work the start leaves for later, on another thread, at a class load or as the log
     * opens: one class for the five kinds, not a class (nor a lambda) each, since every class of
     * the agent loaded at premain is a read of the jar and a parse on the host's start.
     */
    private static final class StartTask implements Runnable, java.util.function.Supplier<Event>, Consumer<Predicate<Class<?>>> {
        /**
         * {@link #firstStream}, as the first class that reads through the filter factory loads
         * ({@link #accept}, handed the deferred java.base edits; not a runnable).
         */
        static final int FIRST_STREAM = 0;
        /** {@link #firstHook} with every gate, before the first hooked library class is edited. */
        static final int FIRST_HOOK = 1;
        /** {@link #firstHook} with the model gate alone. */
        static final int FIRST_MODEL_HOOK = 2;
        /** {@link #deferredStart}, on a thread of its own. */
        static final int DEFERRED_START = 3;
        /** {@link #startEvent}, as the log opens ({@link #get}; not a runnable). */
        static final int START_EVENT = 4;

        private final AgentRuntime runtime;
        private final int kind;
        private final Instrumentation inst;
        private final boolean jmx;

        StartTask(AgentRuntime runtime, int kind, Instrumentation inst, boolean jmx) {
            this.runtime = runtime;
            this.kind = kind;
            this.inst = inst;
            this.jmx = jmx;
        }

        @Override
        public void run() {
            switch (kind) {
                case FIRST_HOOK -> runtime.firstHook(true);
                case FIRST_MODEL_HOOK -> runtime.firstHook(false);
                case DEFERRED_START -> runtime.deferredStart(jmx);
                default -> throw new IllegalStateException("start task " + kind + " is not run");
            }
        }

        @Override
        public void accept(Predicate<Class<?>> deferredEdits) {
            if (kind != FIRST_STREAM) {
                throw new IllegalStateException("start task " + kind + " is not handed an edit");
            }
            runtime.firstStream(inst, deferredEdits);
        }

        @Override
        public Event get() {
            if (kind != START_EVENT) {
                throw new IllegalStateException("start task " + kind + " makes no event");
            }
            return runtime.startEvent();
        }
    }

    /**
     * Makes the model gate, and unless {@code modelOnly} the deserializer gate, if not made yet.
     * A model server's first hooked class (ONNX Runtime's, XGBoost's) calls only the model gate:
     * the deserializer gate (five classes, about 2 ms of its first load's thread CPU) waits for a
     * class whose edited code may call it.
     */
    void installGates(boolean modelOnly) {
        synchronized (gateLock) {
            if (modelGate == null) {
                modelGate = new ModelLoadGate(policy, reporter);
                ModelLoadGate.install(modelGate);
            }
            if (!modelOnly && deserializerGate == null) {
                deserializerGate = new DeserializerGate(policy, reporter);
                DeserializerGate.install(deserializerGate);
            }
        }
    }

    /**
     * The gates made before the first hooked library class is edited (see {@link Hooks#install}).
     * A failure stops the JVM: edited code finding no gate would check nothing.
     */
    private void firstHook(boolean allGates) {
        try {
            installGates(!allGates);
        } catch (Throwable e) { // whatever it is, no hooked library may run unchecked
            console.println("safeload: cannot make the model and deserializer gates: " + e);
            console.println("safeload: stopping the JVM rather than loading models unchecked (fail closed)");
            Runtime.getRuntime().halt(SafeloadAgent.EXIT_INVALID_CONFIG);
        }
    }

    /** Makes the serialization gate over the JDK's factories. A class, not a lambda: none is spun at premain. */
    private record SerialGates(Policy policy, Reporter reporter, Predicate<Class<?>> deferredEdits)
            implements BiFunction<BinaryOperator<ObjectInputFilter>, BinaryOperator<ObjectInputFilter>, SerialGate> {
        @Override
        public SerialGate apply(BinaryOperator<ObjectInputFilter> builtin, BinaryOperator<ObjectInputFilter> host) {
            return new SerialGate(policy, reporter, builtin, host, deferredEdits);
        }
    }

    /** How long after premain the log is opened and the MBean registered, unless an event comes first. */
    static final long DEFERRED_START_MILLIS = 2_000;

    /** The start work that can wait (see {@link #start}): on the {@code safeload-start} thread. */
    private void deferredStart(boolean jmx) {
        try {
            Thread.sleep(DEFERRED_START_MILLIS);
        } catch (InterruptedException e) {
            return;
        }
        reporter.open();
        if (!jmx) {
            return;
        }
        // The platform MBean server is some 600 classes and 100 ms of CPU: made by the agent
        // only once the JVM uses JMX (the host, -Dcom.sun.management.jmxremote, or
        // jcmd/attach starting the management agent), seen within JMX_POLL_MILLIS.
        try {
            while (!platformMBeanServerExists()) {
                Thread.sleep(JMX_POLL_MILLIS);
            }
        } catch (InterruptedException e) {
            return;
        }
        registerMBean();
    }

    /** How often the deferred start looks for a platform MBean server to register the bean in. */
    static final long JMX_POLL_MILLIS = 1_000;

    /**
     * Whether some MBean server has been made through {@code MBeanServerFactory}, as the platform
     * one is; finding out makes none.
     */
    static boolean platformMBeanServerExists() {
        try {
            return !javax.management.MBeanServerFactory.findMBeanServer(null).isEmpty();
        } catch (SecurityException e) {
            return true; // cannot tell: register, as before
        }
    }

    /**
     * The policy file changed: resolve the configuration again as at start (with the agent
     * options now in force) and apply it if it is at least as strict as the policy in force.
     */
    void reloadPolicyFile() {
        Settings settings;
        Policy next;
        try {
            settings = Settings.resolve(options, System.getProperties(), environment);
            next = PolicyCompiler.compile(settings);
        } catch (ConfigException | RuntimeException e) {
            String why = e instanceof ConfigException ? e.getMessage() : e.toString();
            console.println("safeload: policy not reloaded, the previous one stays in force: " + why);
            reloadFailed(why);
            return;
        }
        if (!settings.overridden().isEmpty()) {
            // The staging trap: mode=enforce in the file while mode=audit is an agent option.
            String overridden = String.join("; ", settings.overridden());
            console.println("safeload: warning: the reloaded policy file sets keys another source overrides: " + overridden);
            reporter.write(Event.of("event", "policy-overridden").level(Event.ALERT_LEVEL)
                    .put("message", "the reloaded policy file sets keys another source overrides: " + overridden)
                    .put("event.module", "safeload")
                    .put("event.dataset", "safeload.violations")
                    .put("safeload.mode", policy.mode().label()));
        }
        if (raise(next, "policy-reload", "policy file changed") == null) {
            console.println("safeload: policy reloaded from " + next.source() + ": " + next.mode().label()
                    + " mode (sha256 " + next.digest().substring(0, 12) + ")");
        }
    }

    /** A new version of the policy file did not compile: keep the old one, and say so. */
    void reloadFailed(String why) {
        reporter.write(Event.of("event", "policy-reload-failed").level("error")
                .put("message", "policy not reloaded, the previous one stays in force: " + why)
                .put("event.outcome", "failure")
                .put("event.module", "safeload")
                .put("event.dataset", "safeload.violations")
                .put("error.message", why)
                .put("safeload.mode", policy.mode().label())
                .put("safeload.policy_digest", policy.digest()));
    }

    /** Keys read only at start: the log, the MBean, start-up error handling, the watched file, the hooks, the service identity. */
    private static final List<ConfigKey> START_ONLY = List.of(ConfigKey.POLICY, ConfigKey.LOG,
            ConfigKey.LOG_MAX_FILE_SIZE, ConfigKey.LOG_MAX_HISTORY, ConfigKey.LOG_RATE_LIMIT, ConfigKey.JMX,
            ConfigKey.ON_CONFIG_ERROR, ConfigKey.MODEL_HOOKS, ConfigKey.RUNTIME_ALLOW_LOOSENING,
            ConfigKey.SERVICE_NAME, ConfigKey.SERVICE_VERSION, ConfigKey.SERVICE_ENVIRONMENT);

    /** What a second {@code attach} did: see {@link #attachAgain}. */
    record AttachOutcome(boolean applied, String message) {
    }

    /**
     * A second {@code attach} with {@code newOptions}: they are merged over the options in force
     * and applied through the same raise-only path as a reload.
     */
    AttachOutcome attachAgain(String newOptions) throws ConfigException {
        String merged = Settings.mergeAgentOptions(options, newOptions);
        Settings settings = Settings.resolve(merged, System.getProperties(), environment);
        Policy next = PolicyCompiler.compile(settings);
        Settings inForce = Settings.resolve(options, System.getProperties(), environment);
        List<String> fixed = new java.util.ArrayList<>();
        for (ConfigKey key : START_ONLY) {
            if (!java.util.Objects.equals(settings.get(key), inForce.get(key))) {
                fixed.add(key.key() + "=" + settings.get(key) + " (in force: " + inForce.get(key) + ")");
            }
        }
        if (!fixed.isEmpty()) {
            // Saying "applied" for a key the running agent cannot change would be a lie.
            return new AttachOutcome(false, "these keys change only at a restart: " + String.join(", ", fixed)
                    + "; nothing applied; " + describe(policy) + " stays in force");
        }
        if (next.digest().equals(policy.digest()) && next.mode() == policy.mode()) {
            return new AttachOutcome(true, "already running with these settings: " + describe(policy));
        }
        String refused = raise(next, "attach-applied", "options applied by a second attach");
        if (refused != null) {
            return new AttachOutcome(false, refused);
        }
        options = merged;
        return new AttachOutcome(true, "applied: " + describe(next));
    }

    private static String describe(Policy p) {
        return p.mode().label() + " mode, " + p.source() + " (sha256 " + p.digest().substring(0, 12) + ")";
    }

    /**
     * Applies {@code next} if it is at least as strict as the policy in force, or if the
     * operator allowed loosening at start; otherwise logs a {@code policy-refused} event.
     *
     * @return null when applied, else why it was refused
     */
    private synchronized String raise(Policy next, String action, String why) {
        List<String> looser = Strictness.loosenings(policy, next);
        if (!looser.isEmpty() && !allowLoosening) {
            String refusal = why + ": refused, protection can only be raised at run time (" + String.join("; ", looser)
                    + "); " + describe(policy) + " stays in force. Restart to lower it, or start with "
                    + ConfigKey.RUNTIME_ALLOW_LOOSENING.key() + "=true";
            console.println("safeload: " + refusal);
            reporter.write(Event.of("event", "policy-refused").level(Event.ALERT_LEVEL)
                    .put("message", refusal)
                    .put("event.outcome", "failure")
                    .put("event.module", "safeload")
                    .put("event.dataset", "safeload.violations")
                    .put("error.message", String.join("; ", looser))
                    .put("safeload.mode", policy.mode().label())
                    .put("safeload.requested_mode", next.mode().label())
                    .put("safeload.policy_source", policy.source())
                    .put("safeload.policy_digest", policy.digest()));
            return refusal;
        }
        apply(next, action, looser.isEmpty() ? why : why + " (loosening allowed at start: " + String.join("; ", looser) + ")");
        return null;
    }

    private void apply(Policy next, String action, String why) {
        Policy previous = policy;
        SerialGate gate = serialGate;
        if (gate != null) {
            gate.policy(next);
        }
        synchronized (gateLock) {
            if (modelGate != null) {
                modelGate.policy(next);
            }
            if (deserializerGate != null) {
                deserializerGate.policy(next);
            }
            policy = next;
        }
        appliedAtMillis = System.currentTimeMillis();
        if (!next.hooks().equals(previous.hooks())) {
            why += "; model.hooks changes take effect at the next start";
        }
        reporter.write(Event.of("event", action)
                .put("message", why + ": " + next.mode().label() + " mode, policy " + next.digest().substring(0, 12))
                .put("event.outcome", "success")
                .put("event.module", "safeload")
                .put("event.dataset", "safeload.violations")
                .put("safeload.mode", next.mode().label())
                .put("safeload.previous_mode", previous.mode().label())
                .put("safeload.policy_source", next.source())
                .put("safeload.policy_digest", next.digest()));
    }

    private void registerMBean() {
        try {
            ManagementFactory.getPlatformMBeanServer().registerMBean(new Bean(this), new ObjectName("dev.safeload:type=Agent"));
        } catch (JMException | RuntimeException e) {
            System.err.println("safeload: warning: cannot register the JMX bean dev.safeload:type=Agent: " + e);
        }
    }

    String getMode() {
        return policy.mode().label();
    }

    void setMode(String mode) {
        Mode next = Mode.parse(mode);
        if (next != policy.mode()) {
            String refused = raise(policy.withMode(next), "mode-change", "mode set over JMX");
            if (refused != null) {
                // Thrown so the JMX client sees the refusal, not a silent no-op.
                throw new IllegalStateException("safeload: " + refused);
            }
        }
    }

    String getPolicyDigest() {
        return policy.digest();
    }

    String getPolicySource() {
        return policy.source();
    }

    String getLastReloadTime() {
        return Instant.ofEpochMilli(appliedAtMillis).toString();
    }

    Map<String, Long> getCounters() {
        return Metrics.snapshot();
    }

    /**
     * The bean registered as {@code dev.safeload:type=Agent}: a class of its own, so that the
     * MXBean interface loads when the bean is registered, not at premain.
     */
    static final class Bean implements SafeloadMXBean {
        private final AgentRuntime runtime;

        Bean(AgentRuntime runtime) {
            this.runtime = runtime;
        }

        @Override
        public String getMode() {
            return runtime.getMode();
        }

        @Override
        public void setMode(String mode) {
            runtime.setMode(mode);
        }

        @Override
        public String getPolicyDigest() {
            return runtime.getPolicyDigest();
        }

        @Override
        public String getPolicySource() {
            return runtime.getPolicySource();
        }

        @Override
        public String getLastReloadTime() {
            return runtime.getLastReloadTime();
        }

        @Override
        public Map<String, Long> getCounters() {
            return runtime.getCounters();
        }
    }

    /** The file name the manifest's Boot-Class-Path gives (agent/pom.xml): the jar names itself. */
    private static final String JAR_NAME = "safeload-agent.jar";

    /**
     * True when the agent's classes come from a jar file (so Boot-Class-Path, which names the
     * jar's own file, did not find it: it was renamed), not from a build folder (tests).
     */
    private static boolean startedFromAJar() {
        java.security.CodeSource source = AgentRuntime.class.getProtectionDomain().getCodeSource();
        return source != null && source.getLocation() != null && source.getLocation().getPath().endsWith(".jar");
    }
}
