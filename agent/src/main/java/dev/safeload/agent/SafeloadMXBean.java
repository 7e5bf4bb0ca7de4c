package dev.safeload.agent;

import java.util.Map;

/** The agent as seen over JMX, registered as {@code dev.safeload:type=Agent}. */
public interface SafeloadMXBean {

    /** {@code enforce}, {@code audit} or {@code off}. */
    String getMode();

    /**
     * Raises the mode at once, e.g. from audit to enforce, logged as a mode-change event. A lower
     * mode is refused with an {@link IllegalStateException} and a policy-refused event, unless
     * the JVM was started with {@code runtime.allowLoosening=true}.
     */
    void setMode(String mode);

    /** SHA-256 of the policy in force. */
    String getPolicyDigest();

    /** Where the policy in force came from. */
    String getPolicySource();

    /** When the policy in force was applied, ISO 8601. */
    String getLastReloadTime();

    /** Streams and models checked per entry point; refusals and audits per entry point and rule. */
    Map<String, Long> getCounters();
}
