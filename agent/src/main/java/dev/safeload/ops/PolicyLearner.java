package dev.safeload.ops;

import dev.safeload.policy.Decision;
import dev.safeload.policy.SerialPolicy;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Turns audit logs into allowlist entries: every class a stream named that the allowlist did
 * not cover (rule {@code serial.allow}), grouped by package, and the digests of the model files
 * the model gate saw. Classes from the gadget catalogue, classes no class path had,
 * names that are not Java class names, classes named only in streams that also carried a
 * known gadget, and model files the gate would block are never allowed silently. The keys of
 * the other deserializers are learned the same way from their own rules: the classes Kryo and
 * Hessian built without a constructor ({@code serial.allowWithoutConstructor}) and the methods
 * XMLDecoder documents called ({@code xmldecoder.allowMethods}, as {@code Class.method}), except
 * on known gadget classes.
 */
public final class PolicyLearner implements ViolationLogReader.Visitor {

    private static final Pattern SHA256 = Pattern.compile("[0-9a-fA-F]{64}");
    private static final Pattern PRIMITIVE_ARRAY = Pattern.compile("\\[+[ZBCSIJFD]");

    /** JDK packages hold RMI, JNDI and JMX classes next to harmless ones: never widened. */
    private static final List<String> JDK_PACKAGES = List.of("java.", "javax.", "jdk.", "sun.", "com.sun.");

    /** Everything the logs said about one class name. */
    public static final class Observation {
        private final String loggedName;
        private String rule;
        private long count;
        private Instant first;
        private String firstCallSite;
        private Path firstFile;
        private long firstLine;
        private boolean found;
        private boolean notFound;
        /** The streams (host, pid, safeload.stream) it was named in; events of older logs name none. */
        private final java.util.Set<String> streams = new java.util.HashSet<>();

        private Observation(String loggedName) {
            this.loggedName = loggedName;
        }

        public String loggedName() {
            return loggedName;
        }

        public long count() {
            return count;
        }

        public String firstCallSite() {
            return firstCallSite == null ? "an unknown call site" : firstCallSite;
        }

        /** {@code file line N} of the earliest event. */
        public String firstWhere() {
            return firstFile + " line " + firstLine;
        }

        public Instant first() {
            return first;
        }

        /** True when every event said no class path had the class. */
        boolean onlyNotFound() {
            return notFound && !found;
        }
    }

    /** A class that could go into the allowlist. */
    public record Candidate(String className, Observation seen, GadgetCatalog.Match dangerous, boolean allowed) {
    }

    /** A class the policy will not allow, and why. */
    public record Rejected(Observation seen, String reason) {
    }

    /**
     * One package's classes.
     *
     * @param widenedTo {@code pkg.*} when --widen replaced the classes with it, else null
     * @param notWidened why --widen left the classes one by one, or null
     */
    public record Group(String pkg, String widenedTo, String notWidened, List<Candidate> classes) {
    }

    /** One model digest seen in model-gate events. */
    public static final class Pin {
        private final String sha256;
        private final TreeSet<String> paths = new TreeSet<>();
        private final TreeSet<String> formats = new TreeSet<>();
        private final TreeMap<String, Long> actions = new TreeMap<>();
        private final TreeSet<String> rules = new TreeSet<>();
        private Instant first;
        private Path firstFile;
        private long firstLine;
        private boolean allowed;

        private Pin(String sha256) {
            this.sha256 = sha256;
        }

        /**
         * Whether the gate would have blocked the file (an audit event): a pin skips every check,
         * so pinning it would let in exactly what the checks found.
         */
        public boolean blocked() {
            return actions.containsKey("audit");
        }

        /** Whether the learned policy pins it: not blocked, or blocked and --allow-dangerous. */
        public boolean allowed() {
            return allowed;
        }

        /** {@code file line N} of the earliest event. */
        public String firstWhere() {
            return firstFile + " line " + firstLine;
        }

        public String sha256() {
            return sha256;
        }

        public TreeSet<String> paths() {
            return paths;
        }

        public TreeSet<String> formats() {
            return formats;
        }

        /** Events by action: model-allow, audit. */
        public TreeMap<String, Long> actions() {
            return actions;
        }

        /** Rules of audit events, which say why the gate would have blocked the file. */
        public TreeSet<String> rules() {
            return rules;
        }
    }

    /**
     * The entries learned for one of the other deserializers' keys.
     *
     * @param key {@code serial.allowWithoutConstructor} or {@code xmldecoder.allowMethods}
     * @param kept the base policy's entries, in order
     * @param items the value to write: kept entries, then learned ones
     * @param learned what the logs named, in order, each with how it was decided
     */
    public record DocumentKey(String key, List<String> kept, List<String> items, List<DocumentEntry> learned) {
    }

    /**
     * One entry the logs named for a {@link DocumentKey}.
     *
     * @param entry the class ({@code serial.allowWithoutConstructor}) or {@code Class.method}
     * @param written whether it is in the key's value
     * @param reason why not, or that the base policy already has it; null when it is written
     */
    public record DocumentEntry(String entry, Observation seen, boolean written, String reason) {
    }

    /**
     * What learning produced.
     *
     * @param kept serial.allow items of the base policy, in order
     * @param patterns the serial.allow value: kept items, then learned patterns
     * @param alreadyAllowed learned classes the base (or built-in) policy already allows
     * @param dangerous gadget classes seen, allowed or not
     * @param notLearned rule.name of limit violations, which learn does not turn into entries, with counts
     * @param pins model digests from model-allow and audit events; blocked ones are pinned only if allowed
     * @param documentKeys {@code serial.allowWithoutConstructor} and {@code xmldecoder.allowMethods}, in that order
     */
    public record Result(List<String> kept, List<Group> groups, List<Rejected> rejected, List<String> patterns,
                         int alreadyAllowed, List<Candidate> dangerous, Map<String, Long> notLearned,
                         List<Pin> pins, long events, List<DocumentKey> documentKeys) {
    }

    /** The other deserializers' rules whose events learn turns into entries of the key of that name. */
    public static final String UNCONSTRUCTED = "serial.allowWithoutConstructor";
    public static final String XML_METHODS = "xmldecoder.allowMethods";
    private static final Pattern JAVA_IDENTIFIER = Pattern.compile("[\\p{javaJavaIdentifierStart}][\\p{javaJavaIdentifierPart}]*");

    private final Map<String, Observation> classes = new HashMap<>();
    /** Each stream's logged class names, by host, pid and stream id. */
    private final Map<String, java.util.Set<String>> streamClasses = new HashMap<>();
    /** For each stream, where its first event is: to name it in a reason. */
    private final Map<String, String> streamFirstSeen = new HashMap<>();
    private final Map<String, Long> otherRules = new TreeMap<>();
    /** Classes built without a constructor, and Class.method entries XMLDecoder called, as the logs named them. */
    private final Map<String, Observation> unconstructed = new TreeMap<>();
    private final Map<String, Observation> xmlMethods = new TreeMap<>();
    private final Map<String, Pin> pins = new TreeMap<>();
    private long events;

    @Override
    public void event(LogEvent e) {
        events++;
        if (e.sha256() != null && ("model-allow".equals(e.action()) || "audit".equals(e.action()))) {
            pin(e);
        }
        if (e.isViolation() && e.className() != null
                && ("serial.allow".equals(e.rule()) || "serial.deny".equals(e.rule()))) {
            observe(e.className(), e.rule(), e.occurrences(), e);
        } else if (e.isViolation() && e.className() != null && UNCONSTRUCTED.equals(e.rule())) {
            String component = ClassNames.component(e.className());
            seen(unconstructed, component != null ? component : e.className(), e);
        } else if (e.isViolation() && e.className() != null && e.member() != null && XML_METHODS.equals(e.rule())) {
            seen(xmlMethods, e.className() + "." + e.member(), e);
        } else if (e.isViolation() && e.filePath() == null && e.rule() != null
                && (e.rule().startsWith("serial.") || e.rule().equals(XML_METHODS))) {
            otherRules.merge(e.rule(), e.occurrences(), Tally::saturatedSum);
        } else if ("suppressed".equals(e.action()) && e.rateKey() != null) {
            String[] key = e.rateKey().split("\u0000", -1);
            // class NUL rule NUL call site, and NUL entry point since the agent keys on it too
            if ((key.length == 3 || key.length == 4) && (key[1].equals("serial.allow") || key[1].equals("serial.deny"))
                    && !key[0].equals("(limits)")) {
                Observation o = classes.get(ClassNames.component(key[0]));
                if (o != null) {
                    o.count = Tally.saturatedSum(o.count, e.suppressed());
                }
            }
        }
    }

    @Override
    public void malformed(Path file, long line, String reason) {
        // Counted by the reader; a line that is not an event teaches nothing.
    }

    private static void seen(Map<String, Observation> into, String entry, LogEvent e) {
        Observation o = into.computeIfAbsent(entry, Observation::new);
        o.count = Tally.saturatedSum(o.count, e.occurrences());
        o.found = true;
        firstSeen(o, e);
    }

    /** Keeps {@code e} as the observation's first sighting if it is the earliest yet. */
    private static void firstSeen(Observation o, LogEvent e) {
        if (o.first == null || e.timestamp().isBefore(o.first)) {
            o.first = e.timestamp();
            o.firstCallSite = e.callSite();
            o.firstFile = e.file();
            o.firstLine = e.line();
        }
    }

    private void observe(String loggedName, String rule, long occurrences, LogEvent e) {
        if (PRIMITIVE_ARRAY.matcher(loggedName).matches()) {
            return; // always allowed; nothing to learn
        }
        // An array is allowed by its component class, so [Lcom.acme.Leaf; and com.acme.Leaf are one entry.
        String component = ClassNames.component(loggedName);
        Observation o = classes.computeIfAbsent(component != null ? component : loggedName, Observation::new);
        o.count = Tally.saturatedSum(o.count, occurrences);
        if (o.rule == null || rule.equals("serial.deny")) {
            o.rule = rule;
        }
        if (Boolean.FALSE.equals(e.classFound())) {
            o.notFound = true;
        } else {
            o.found = true;
        }
        firstSeen(o, e);
        if (e.stream() != null) {
            String stream = e.host() + '\u0000' + e.pid() + '\u0000' + e.stream();
            o.streams.add(stream);
            streamClasses.computeIfAbsent(stream, k -> new java.util.HashSet<>()).add(o.loggedName);
            streamFirstSeen.putIfAbsent(stream, e.file() + " line " + e.line());
        }
    }

    /**
     * Why {@code o} is an attack's accomplice: every stream it was named in also named a known
     * gadget (java.lang.Class and FileOutputStream in a commons-collections chain, say); null
     * when some stream without a gadget named it too, or no event said which stream it came from.
     */
    private String onlyBesideGadgets(Observation o, GadgetCatalog gadgets) {
        String example = null;
        for (String stream : o.streams) {
            String gadget = null;
            for (String other : streamClasses.get(stream)) {
                if (gadgets.match(other) != null) {
                    gadget = other;
                    break;
                }
            }
            if (gadget == null) {
                return null;
            }
            if (example == null) {
                example = gadget + " (" + streamFirstSeen.get(stream) + ")";
            }
        }
        return example == null ? null : "named only in streams that also carried a known gadget, e.g. " + example
                + ": part of an attack, not traffic";
    }

    private void pin(LogEvent e) {
        if (e.sha256() == null || !SHA256.matcher(e.sha256()).matches()) {
            return;
        }
        Pin p = pins.computeIfAbsent(e.sha256().toLowerCase(Locale.ROOT), Pin::new);
        if (e.filePath() != null) {
            p.paths.add(e.filePath());
        }
        if (e.format() != null) {
            p.formats.add(e.format());
        }
        p.actions.merge(e.action(), e.occurrences(), Tally::saturatedSum);
        if (e.isViolation() && e.rule() != null) {
            p.rules.add(e.rule());
        }
        if (p.first == null || e.timestamp().isBefore(p.first)) {
            p.first = e.timestamp();
            p.firstFile = e.file();
            p.firstLine = e.line();
        }
    }

    /**
     * Decides every observed class against {@code base}.
     *
     * @param widen replace a package's classes with {@code pkg.*} where that is safe
     * @param allowDangerous allow gadget building blocks instead of commenting them out
     */
    public Result learn(BasePolicy base, GadgetCatalog gadgets, boolean widen, boolean allowDangerous) {
        SerialPolicy serial = base.policy().serial();
        TreeMap<String, List<Candidate>> byPackage = new TreeMap<>();
        List<Rejected> rejected = new ArrayList<>();
        List<Candidate> dangerous = new ArrayList<>();
        int alreadyAllowed = 0;
        for (Observation o : new TreeMap<>(classes).values()) {
            String name = o.loggedName;
            if (!ClassNames.isBinaryName(name)) {
                rejected.add(new Rejected(o, "not a Java class name"));
                continue;
            }
            GadgetCatalog.Match gadget = gadgets.match(name);
            if (gadget != null && (gadget.refusedByAgent() || o.rule.equals("serial.deny"))) {
                Candidate c = new Candidate(name, o, gadget, false);
                dangerous.add(c);
                byPackage.computeIfAbsent(ClassNames.packageOf(name), k -> new ArrayList<>()).add(c);
                continue;
            }
            if (gadget != null) {
                Candidate c = new Candidate(name, o, gadget, allowDangerous);
                dangerous.add(c);
                byPackage.computeIfAbsent(ClassNames.packageOf(name), k -> new ArrayList<>()).add(c);
                continue;
            }
            Decision now = serial.decideName(name);
            String accomplice;
            if (now.allowed()) {
                alreadyAllowed++;
            } else if (now.rule().equals("serial.deny")) {
                rejected.add(new Rejected(o, "refused by " + (base.path() == null ? "the built-in policy" : base.path())
                        + " (" + now.detail() + "); deny wins over allow"));
            } else if (o.rule.equals("serial.deny")) {
                rejected.add(new Rejected(o, "was refused by a serial.deny entry of the policy that logged it"));
            } else if (o.onlyNotFound()) {
                rejected.add(new Rejected(o, "no class path of the logging process had it (class_found=false):"
                        + " a probe, or a class the application cannot load anyway"));
            } else if ((accomplice = onlyBesideGadgets(o, gadgets)) != null) {
                Candidate c = new Candidate(name, o, new GadgetCatalog.Match(null, accomplice, false), allowDangerous);
                dangerous.add(c);
                byPackage.computeIfAbsent(ClassNames.packageOf(name), k -> new ArrayList<>()).add(c);
            } else {
                byPackage.computeIfAbsent(ClassNames.packageOf(name), k -> new ArrayList<>())
                        .add(new Candidate(name, o, null, true));
            }
        }

        List<String> kept = base.items("serial.allow");
        List<String> patterns = new ArrayList<>(kept);
        List<Group> groups = new ArrayList<>();
        for (Map.Entry<String, List<Candidate>> entry : byPackage.entrySet()) {
            String pkg = entry.getKey();
            List<Candidate> members = entry.getValue();
            String widenedTo = null;
            String notWidened = null;
            if (widen) {
                List<String> blocks = gadgets.patternsInPackage(pkg);
                if (pkg.isEmpty()) {
                    notWidened = "the unnamed package has no pattern of its own";
                } else if (JDK_PACKAGES.stream().anyMatch(pkg::startsWith)) {
                    notWidened = "JDK packages are never widened";
                } else if (!blocks.isEmpty()) {
                    notWidened = "the package holds known gadget building blocks (" + String.join(", ", blocks) + ")";
                } else if (members.stream().anyMatch(c -> c.dangerous() != null && c.dangerous().pattern() == null)) {
                    notWidened = "a class of it was named only in streams that carried a known gadget";
                } else {
                    widenedTo = pkg + ".*";
                }
            }
            groups.add(new Group(pkg, widenedTo, notWidened, members));
            if (widenedTo != null) {
                addOnce(patterns, widenedTo);
            } else {
                for (Candidate c : members) {
                    if (c.allowed()) {
                        addOnce(patterns, c.className());
                    }
                }
            }
        }
        for (Pin p : pins.values()) {
            p.allowed = !p.blocked() || allowDangerous;
        }
        return new Result(kept, groups, rejected, patterns, alreadyAllowed, dangerous, otherRules,
                new ArrayList<>(pins.values()), events,
                List.of(documentKey(UNCONSTRUCTED, unconstructed, base, gadgets),
                        documentKey(XML_METHODS, xmlMethods, base, gadgets)));
    }

    /**
     * The entries for one of the other deserializers' keys. An entry on a known gadget class is
     * never written, not even with --allow-dangerous: building one without its constructor, or
     * calling its methods from a document, is what the chains do. A class the base policy
     * refuses, or a name that is not a class (or a method), is not written either.
     */
    private static DocumentKey documentKey(String key, Map<String, Observation> seen, BasePolicy base,
                                           GadgetCatalog gadgets) {
        List<String> kept = base.items(key);
        List<String> items = new ArrayList<>(kept);
        List<DocumentEntry> entries = new ArrayList<>();
        SerialPolicy serial = base.policy().serial();
        for (Observation o : seen.values()) {
            String entry = o.loggedName;
            String className = entry;
            if (key.equals(XML_METHODS)) {
                int dot = entry.lastIndexOf('.');
                className = dot < 0 ? "" : entry.substring(0, dot);
                if (dot < 0 || !JAVA_IDENTIFIER.matcher(entry.substring(dot + 1)).matches()) {
                    entries.add(new DocumentEntry(entry, o, false, "not a Class.method name"));
                    continue;
                }
            }
            GadgetCatalog.Match gadget;
            String reason = null;
            if (!ClassNames.isBinaryName(className)) {
                reason = "not a Java class name";
            } else if ((gadget = gadgets.match(className)) != null) {
                reason = "DANGEROUS: " + className + " is a known gadget class (" + gadget.reason() + ")";
            } else if (serial.decideName(className).rule().equals("serial.deny")) {
                reason = "the base policy refuses " + className;
            } else if (items.contains(entry)) {
                reason = "already in the base policy";
            } else if (key.equals(UNCONSTRUCTED) && serial.unconstructedPatterns().match(className) != null) {
                reason = "the base policy already allows it (" + serial.unconstructedPatterns().match(className) + ")";
            }
            if (reason == null) {
                items.add(entry);
            }
            entries.add(new DocumentEntry(entry, o, reason == null, reason));
        }
        return new DocumentKey(key, kept, items, entries);
    }

    private static void addOnce(List<String> patterns, String pattern) {
        if (!patterns.contains(pattern)) {
            patterns.add(pattern);
        }
    }
}
