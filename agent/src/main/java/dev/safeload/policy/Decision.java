package dev.safeload.policy;

import java.util.Objects;

/**
 * The outcome of one check, shared by serialization and model checks: a status, the rule that
 * decided it and the policy entry that matched. Decisions for classes are cached, so the allow
 * path hands out shared instances and allocates nothing.
 */
public final class Decision {

    /** The three outcomes, as in {@code ObjectInputFilter.Status}. */
    public enum Status { ALLOWED, REJECTED, UNDECIDED }

    /** Nothing in the policy spoke; only limits were checked. */
    public static final Decision UNDECIDED = new Decision(Status.UNDECIDED, "none", "");

    private final Status status;
    private final String rule;
    private final String detail;

    private Decision(Status status, String rule, String detail) {
        this.status = status;
        this.rule = rule;
        this.detail = detail;
    }

    /** An allow by {@code rule}, matched by {@code detail} (a pattern or a reason). */
    public static Decision allow(String rule, String detail) {
        return new Decision(Status.ALLOWED, rule, detail);
    }

    /** No verdict yet from {@code rule}: something else must settle it. */
    public static Decision undecided(String rule, String detail) {
        return new Decision(Status.UNDECIDED, rule, detail);
    }

    /** A refusal by {@code rule}, explained by {@code detail}. */
    public static Decision reject(String rule, String detail) {
        return new Decision(Status.REJECTED, rule, detail);
    }

    public Status status() {
        return status;
    }

    public boolean allowed() {
        return status == Status.ALLOWED;
    }

    public boolean rejected() {
        return status == Status.REJECTED;
    }

    /** The rule id, such as {@code serial.allowlist} or {@code serial.maxDepth}. */
    public String rule() {
        return rule;
    }

    /** The matched policy entry or the reason, such as {@code !java.net.URL} or {@code 65 > 64}. */
    public String detail() {
        return detail;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Decision d && d.status == status && d.rule.equals(rule)
                && d.detail.equals(detail);
    }

    @Override
    public int hashCode() {
        return Objects.hash(status, rule, detail);
    }

    @Override
    public String toString() {
        return status + " by " + rule + (detail.isEmpty() ? "" : " (" + detail + ")");
    }
}
