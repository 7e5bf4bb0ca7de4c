package dev.safeload.presets;

import dev.safeload.policy.ClassPatterns;
import dev.safeload.policy.Decision;
import dev.safeload.policy.Presets;
import dev.safeload.policy.SerialLimits;
import dev.safeload.policy.SerialPolicy;
import java.io.ObjectInputFilter;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * An {@link ObjectInputFilter} that decides as the agent does (the {@link SerialPolicy} for each
 * class, {@link SerialLimits} for depth, references, bytes and array lengths) and records what
 * the stream held, so a test can show which classes a real model needs and how deep it goes.
 */
final class RecordingPolicyFilter implements ObjectInputFilter {

    private final SerialPolicy policy;
    private final Set<String> classes = new TreeSet<>();
    private final Set<String> rejectedClasses = new TreeSet<>();
    private long maxDepth;
    private long maxRefs;
    private long maxBytes;
    private long maxArray;

    RecordingPolicyFilter(SerialPolicy policy) {
        this.policy = policy;
    }

    /** The defaults, the gadget denylist and the default limits, plus {@code extraAllow}. */
    static RecordingPolicyFilter allowing(ClassPatterns extraAllow) {
        return allowing(extraAllow, SerialLimits.DEFAULTS);
    }

    static RecordingPolicyFilter allowing(ClassPatterns extraAllow, SerialLimits limits) {
        return new RecordingPolicyFilter(new SerialPolicy(
                Presets.defaultAllow().plus(extraAllow), Presets.gadgetDeny(), limits));
    }

    /** Every class and no limits: to list everything a stream holds. */
    static RecordingPolicyFilter allowingEverything() {
        long most = Long.MAX_VALUE;
        return new RecordingPolicyFilter(new SerialPolicy(ClassPatterns.of(List.of("*")),
                ClassPatterns.empty(), new SerialLimits(most, most, most, most)));
    }

    /** As the agent runs with {@code serial.presets=name}. */
    static RecordingPolicyFilter forPreset(String name) {
        return forPreset(name, SerialLimits.DEFAULTS);
    }

    static RecordingPolicyFilter forPreset(String name, SerialLimits limits) {
        return allowing(Presets.preset(name), limits);
    }

    /** As the agent runs with no preset. */
    static RecordingPolicyFilter defaultsOnly() {
        return allowing(ClassPatterns.empty());
    }

    @Override
    public Status checkInput(FilterInfo info) {
        maxDepth = Math.max(maxDepth, info.depth());
        maxRefs = Math.max(maxRefs, info.references());
        maxBytes = Math.max(maxBytes, info.streamBytes());
        maxArray = Math.max(maxArray, info.arrayLength());
        SerialLimits limits = policy.limits();
        if (info.depth() > limits.maxDepth() || info.references() > limits.maxRefs()
                || info.streamBytes() > limits.maxBytes() || info.arrayLength() > limits.maxArray()) {
            return Status.REJECTED;
        }
        Class<?> type = info.serialClass();
        if (type == null) {
            return Status.UNDECIDED;
        }
        Class<?> component = type;
        while (component.isArray()) {
            component = component.getComponentType();
        }
        Decision decision = policy.decide(type);
        if (!component.isPrimitive()) {
            classes.add(component.getName());
            if (decision.rejected()) {
                rejectedClasses.add(component.getName());
            }
        }
        if (decision.rejected()) {
            return Status.REJECTED;
        }
        return decision.allowed() ? Status.ALLOWED : Status.UNDECIDED;
    }

    /** Every non-primitive class (arrays by component) the stream named, allowed or not. */
    Set<String> classes() {
        return Collections.unmodifiableSet(classes);
    }

    /** The classes the policy refused. */
    Set<String> rejectedClasses() {
        return Collections.unmodifiableSet(rejectedClasses);
    }

    SerialLimits limits() {
        return policy.limits();
    }

    long maxDepth() {
        return maxDepth;
    }

    long maxRefs() {
        return maxRefs;
    }

    long maxBytes() {
        return maxBytes;
    }

    long maxArray() {
        return maxArray;
    }

    /** One line for the test log: the numbers to hold against {@link SerialLimits#DEFAULTS}. */
    String summary(String model) {
        return String.format("%-40s classes=%d maxDepth=%d maxRefs=%d bytes=%d maxArray=%d",
                model, classes.size(), maxDepth, maxRefs, maxBytes, maxArray);
    }
}
