package dev.safeload.serial;

import dev.safeload.instrument.xmldecoder.XmlDecoderCheckpoint;
import dev.safeload.policy.Decision;
import dev.safeload.policy.Mode;
import dev.safeload.policy.Policy;
import dev.safeload.report.CallSite;
import dev.safeload.report.Event;
import dev.safeload.report.Metrics;
import dev.safeload.report.Reporter;
import java.io.InvalidClassException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BinaryOperator;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The JVM-wide serialization gate. It is the JEP 415 filter factory, so every
 * {@link ObjectInputStream} gets a {@link StreamGuard} from its constructor on, and it keeps
 * the host's own factory (from {@code jdk.serialFilterFactory} or a later
 * {@code Config.setSerialFilterFactory} call) working behind the guard. As a {@link Predicate}
 * it is how the advice on {@code setSerialFilterFactory} hands it the host's factory. As a
 * {@link Consumer} it is how the edits of XMLDecoder's handlers reach the agent: java.desktop
 * cannot see agent classes, and the JVM-wide filter factory is the one agent object every JDK
 * module can reach.
 */
public final class SerialGate implements BinaryOperator<ObjectInputFilter>, Predicate<BinaryOperator<ObjectInputFilter>>,
        Consumer<Object> {

    static final String ENTRY_CLASS = "java.io.ObjectInputStream";

    private final Reporter reporter;
    private final BinaryOperator<ObjectInputFilter> builtinFactory;
    /** How deep this thread is inside the host's factory; an array so that a stream allocates no entry. */
    private final ThreadLocal<int[]> insideHostFactory = new ThreadLocal<>() {
        @Override
        protected int[] initialValue() {
            return new int[1];
        }
    };
    private volatile Policy policy;
    private volatile BinaryOperator<ObjectInputFilter> hostFactory;
    private volatile boolean hostFactoryAdopted;
    private volatile boolean streamsCreated;
    /** {@link Metrics}' count of streams checked, kept from the first stream on: no map lookup per stream. */
    private AtomicLong streams;
    /**
     * The java.base edits of {@code Hashtable} and {@code ConcurrentHashMap}, each deferred to the
     * first class descriptor of that class (or a subclass) that a stream resolves ({@link
     * #classResolved}), or both to the first stream made that overrides {@code readObject}
     * ({@link #overridingStreamMade}), whichever comes first. Handed the class (null: every edit),
     * it makes what is left and says whether any edit is still to be made. Null once every edit
     * is in place, or when none was deferred.
     */
    private volatile Predicate<Class<?>> deferredEdits;

    /**
     * @param builtinFactory the JDK's factory, whose behaviour applies when the host has none
     * @param hostFactory the factory the JDK already made from {@code jdk.serialFilterFactory},
     *     or null
     * @param deferredEdits puts the edit of {@code Hashtable} or {@code ConcurrentHashMap} that a
     *     class needs in place, once, and returns when it is (another thread calling it meanwhile
     *     waits); null when they are in place already
     */
    public SerialGate(Policy policy, Reporter reporter, BinaryOperator<ObjectInputFilter> builtinFactory,
                      BinaryOperator<ObjectInputFilter> hostFactory, Predicate<Class<?>> deferredEdits) {
        this.deferredEdits = deferredEdits;
        this.policy = policy;
        this.reporter = reporter;
        this.builtinFactory = builtinFactory;
        this.hostFactory = hostFactory != null ? hostFactory : builtinFactory;
        this.hostFactoryAdopted = hostFactory != null;
    }

    /**
     * A stream resolved {@code type}, whose objects are read next: for a {@code Hashtable}, a
     * {@code ConcurrentHashMap} or a subclass, that class's {@code readObject} may run, so its
     * edit is put in place first.
     */
    void classResolved(Class<?> type) {
        Predicate<Class<?>> edits = deferredEdits;
        if (edits != null && (java.util.Hashtable.class.isAssignableFrom(type)
                || java.util.concurrent.ConcurrentHashMap.class.isAssignableFrom(type)) && edits.test(type)) {
            deferredEdits = null;
        }
    }

    /**
     * A stream that overrides {@code readObject} was made: its owner may call {@code
     * Hashtable.readObject} on it (XStream's {@code SerializableConverter}, {@code
     * ReflectionFactory.readObjectForSerialization}) with no class resolved through the JDK, so
     * {@code Hashtable}'s edit is put in place now, before the constructor returns. Once it is,
     * a volatile read.
     */
    void overridingStreamMade() {
        Predicate<Class<?>> edits = deferredEdits;
        if (edits != null && edits.test(null)) {
            deferredEdits = null;
        }
    }

    /** The policy in force. */
    public Policy policy() {
        return policy;
    }

    /** Replaces the policy with one volatile write. */
    public void policy(Policy next) {
        this.policy = next;
    }

    @Override
    public ObjectInputFilter apply(ObjectInputFilter current, ObjectInputFilter requested) {
        int[] inside = insideHostFactory.get();
        if (inside[0] > 0) {
            // The host's factory delegates to the factory it found installed (us): answer as
            // the JDK's builtin factory would, instead of recursing.
            return builtinFactory.apply(current, requested);
        }
        streamsCreated = true;
        AtomicLong count = streams;
        if (count == null) {
            count = Metrics.counter(ENTRY_CLASS); // at the first stream: no counter listed before one
            streams = count;
        }
        count.incrementAndGet();
        StreamGuard guard = current instanceof StreamGuard g ? g : null;
        ObjectInputFilter hostCurrent = guard != null ? guard.hostFilter() : current;
        ObjectInputFilter hostNext;
        inside[0]++;
        try {
            hostNext = hostFactory.apply(hostCurrent, requested);
        } finally {
            inside[0]--;
        }
        if (guard != null) {
            guard.hostFilter(hostNext);
            return guard;
        }
        return new StreamGuard(this, hostNext, ReadNesting.active());
    }

    /**
     * The host called {@code Config.setSerialFilterFactory}: adopt its factory behind ours.
     *
     * @return false to let the JDK's method run, and throw, as it would without the agent
     */
    @Override
    public synchronized boolean test(BinaryOperator<ObjectInputFilter> factory) {
        if (hostFactoryAdopted || streamsCreated) {
            return false; // the JDK's method runs and throws, exactly as without the agent
        }
        hostFactory = factory;
        hostFactoryAdopted = true;
        return true;
    }

    /**
     * An XMLDecoder checkpoint ({@link XmlDecoderCheckpoint}): {@code {site, values...}}; throws
     * the refusal. The checkpoint class loads at the first document, never at start.
     */
    @Override
    public void accept(Object checkpoint) {
        XmlDecoderCheckpoint.check((Object[]) checkpoint);
    }

    /**
     * A check failed: log it, and in enforce mode refuse by throwing. The checkpoint's values, not
     * its {@code FilterInfo}, so that the JIT can leave that object unallocated (StreamGuard.checkInput).
     */
    void refuse(StreamGuard guard, Policy p, Decision decision, Class<?> type, String pendingName, long depth,
                long refs, long bytes, long arrayLength) {
        String className = type != null ? type.getName() : pendingName;
        boolean classFound = type != null || pendingName == null;
        report(guard, p, decision, className, classFound, depth, refs, bytes, arrayLength);
    }

    /** A class name alone was refused before a custom {@code resolveClass} could run. */
    void refuseName(StreamGuard guard, Policy p, Decision decision, String className) {
        report(guard, p, decision, className, null, -1, -1, -1, -1);
    }

    /** A limit the guard measures itself (graph expansion) was passed, at a checkpoint. */
    void refuseLimit(StreamGuard guard, Policy p, Decision decision, long depth, long refs) {
        report(guard, p, decision, null, null, depth, refs, -1, -1);
    }

    private void report(StreamGuard guard, Policy p, Decision decision, String className, Boolean classFound,
                        long depth, long refs, long bytes, long arrayLength) {
        boolean enforce = p.mode() == Mode.ENFORCE;
        String subject = className != null ? className : "(limits)";
        if (enforce || guard.firstReport(subject + '\u0000' + decision.rule())) {
            CallSite site = CallSite.capture(ENTRY_CLASS, ENTRY_CLASS + ".readObject");
            String action = enforce ? "refuse" : "audit";
            Metrics.failed(action, site.entryPoint(), decision.rule());
            Event event = Event.of("alert", action)
                    .put("message", (enforce ? "refused " : "would refuse ") + subject + " by rule "
                            + decision.rule() + ": " + decision.detail())
                    .put("event.category", List.of("intrusion_detection"))
                    .put("event.type", List.of(enforce ? "denied" : "allowed"))
                    .put("event.outcome", enforce ? "failure" : "success")
                    .put("event.module", "safeload")
                    .put("event.dataset", "safeload.violations")
                    .put("rule.name", decision.rule())
                    .put("rule.ruleset", p.source())
                    .put("safeload.mode", p.mode().label())
                    .put("safeload.entry_point", site.entryPoint())
                    .put("safeload.class", className)
                    .put("safeload.class_found", classFound)
                    .put("safeload.call_site", site.frame())
                    .put("safeload.library_frame", site.libraryFrame())
                    .put("safeload.policy_rule", decision.detail())
                    .put("safeload.policy_digest", p.digest())
                    .put("safeload.nested", guard.nested())
                    .put("safeload.stream", guard.id())
                    .put("safeload.depth", depth >= 0 ? depth : null)
                    .put("safeload.refs", refs >= 0 ? refs : null)
                    .put("safeload.bytes", bytes >= 0 ? bytes : null)
                    .put("safeload.array_length", arrayLength >= 0 ? arrayLength : null)
                    .put("error.stack_trace", String.join("\n\tat ", site.stack()));
            String human = enforce
                    ? "safeload: refused " + subject + " (rule " + decision.rule() + ": " + decision.detail()
                            + ") at " + site.frame() + (guard.nested() ? " [nested stream]" : "")
                    : null;
            // The key names the entry point too, so a shutdown summary can be counted under it.
            reporter.report(event, subject + '\u0000' + decision.rule() + '\u0000' + site.frame() + '\u0000'
                    + site.entryPoint(), human);
        }
        if (enforce) {
            throw Sneaky.rethrow(className != null
                    ? new InvalidClassException(className, "safeload: rejected by rule " + decision.rule()
                            + ": " + decision.detail())
                    : new InvalidClassException("safeload: rejected by rule " + decision.rule() + ": "
                            + decision.detail()));
        }
    }
}
