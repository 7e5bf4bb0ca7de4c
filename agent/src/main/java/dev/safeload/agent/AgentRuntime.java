package dev.safeload.agent;

import dev.safeload.instrument.Hooks;
import dev.safeload.model.gate.ModelLoadGate;
import dev.safeload.policy.Mode;
import dev.safeload.policy.Policy;
import dev.safeload.report.Event;
import dev.safeload.report.LogSettings;
import dev.safeload.report.Metrics;
import dev.safeload.report.Reporter;
import dev.safeload.serial.SerialGate;
import java.io.PrintStream;
import java.lang.instrument.Instrumentation;
import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.util.Map;
import javax.management.JMException;
import javax.management.ObjectName;

/**
 * The running agent: the serialization and model gates, their reporter, the hooks, policy
 * reloads and the JMX bean. A policy change is one volatile write of an immutable snapshot
 * into each gate.
 */
final class AgentRuntime implements SafeloadMXBean {

    private final Reporter reporter;
    private final SerialGate serialGate;
    private final ModelLoadGate modelGate;
    private volatile Policy policy;
    private volatile Instant appliedAt = Instant.now();

    private AgentRuntime(Policy policy, Reporter reporter, SerialGate serialGate, ModelLoadGate modelGate) {
        this.policy = policy;
        this.reporter = reporter;
        this.serialGate = serialGate;
        this.modelGate = modelGate;
    }

    static void start(Policy policy, LogSettings log, Instrumentation inst, PrintStream console,
                      PolicyReloader.Sources reloadSources, boolean jmx) {
        Reporter reporter = new Reporter(log, console);
        // Hooks first, so that ObjectInputFilter.Config, which installing the factory loads, is
        // hooked as it loads. Hooked classes are transformed as they load (or now, if already
        // loaded), so a library that is never used costs a name check per class load. A failure
        // is printed when it happens. The filter factory checks every stream regardless.
        Hooks.install(inst, console, policy.hooks());

        SerialGate serialGate;
        try {
            serialGate = FilterFactoryInstaller.install(inst,
                    (builtin, host) -> new SerialGate(policy, reporter, builtin, host));
        } catch (IllegalStateException | ReflectiveOperationException e) {
            SafeloadAgent.failClosed(console, "cannot install the deserialization filter factory: " + e.getMessage());
            return;
        }
        ModelLoadGate modelGate = new ModelLoadGate(policy, reporter);
        ModelLoadGate.install(modelGate);
        AgentRuntime runtime = new AgentRuntime(policy, reporter, serialGate, modelGate);

        console.println("safeload " + SafeloadAgent.version() + ": " + policy.mode().label() + " mode, "
                + policy.source() + ", violations to " + log.destination());
        reporter.firstLine(Event.of("event", "start")
                .put("message", "safeload started in " + policy.mode().label() + " mode")
                .put("event.module", "safeload")
                .put("event.dataset", "safeload.violations")
                .put("safeload.mode", policy.mode().label())
                .put("safeload.policy_source", policy.source())
                .put("safeload.policy_digest", policy.settingsDigest())
                .put("safeload.version", SafeloadAgent.version()));

        if (reloadSources != null) {
            new PolicyReloader(reloadSources, runtime::reload, runtime::reloadFailed, console).start();
        }
        // Opening the log (Logback, Jackson, the policy digest) and starting the platform MBean
        // server cost more than the rest of the start together, so they wait until the host has
        // started: the first event opens the log at once, and the start event stays its first line.
        Thread later = new Thread(new DeferredStart(runtime, jmx), "safeload-start");
        later.setDaemon(true);
        later.start();
    }

    /** How long after premain the log is opened and the MBean registered, unless an event comes first. */
    static final long DEFERRED_START_MILLIS = 2_000;

    /** The start work that can wait: see {@link #start}. A class, not a lambda: no lambda bootstrap at premain. */
    private static final class DeferredStart implements Runnable {
        private final AgentRuntime runtime;
        private final boolean jmx;

        DeferredStart(AgentRuntime runtime, boolean jmx) {
            this.runtime = runtime;
            this.jmx = jmx;
        }

        @Override
        public void run() {
            try {
                Thread.sleep(DEFERRED_START_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
            runtime.reporter.open();
            if (jmx) {
                runtime.registerMBean();
            }
        }
    }

    /** A new version of the policy file compiled: apply it with one volatile write per gate. */
    void reload(Policy next) {
        apply(next, "policy-reload", "policy file changed");
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

    private synchronized void apply(Policy next, String action, String why) {
        Policy previous = policy;
        serialGate.policy(next);
        modelGate.policy(next);
        policy = next;
        appliedAt = Instant.now();
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
            ManagementFactory.getPlatformMBeanServer().registerMBean(this, new ObjectName("dev.safeload:type=Agent"));
        } catch (JMException | RuntimeException e) {
            System.err.println("safeload: warning: cannot register the JMX bean dev.safeload:type=Agent: " + e);
        }
    }

    @Override
    public String getMode() {
        return policy.mode().label();
    }

    @Override
    public void setMode(String mode) {
        Mode next = Mode.parse(mode);
        if (next != policy.mode()) {
            apply(policy.withMode(next), "mode-change", "mode set over JMX");
        }
    }

    @Override
    public String getPolicyDigest() {
        return policy.digest();
    }

    @Override
    public String getPolicySource() {
        return policy.source();
    }

    @Override
    public String getLastReloadTime() {
        return appliedAt.toString();
    }

    @Override
    public Map<String, Long> getCounters() {
        return Metrics.snapshot();
    }
}
