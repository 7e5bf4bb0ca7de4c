package dev.safeload.instrument;

import dev.safeload.instrument.edit.EntryHook;
import dev.safeload.instrument.edit.EntryHookEdit;
import dev.safeload.instrument.edit.SuperTypes;
import dev.safeload.instrument.jdk.HookedJdkClasses;
import dev.safeload.instrument.jdk.JdkHooks;
import dev.safeload.instrument.kryo.JavaSerializerEdit;
import dev.safeload.instrument.xmldecoder.XmlDecoderEdits;
import dev.safeload.policy.ClassPatterns;
import dev.safeload.policy.ModelHook;
import java.io.PrintStream;
import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.lang.instrument.UnmodifiableClassException;
import java.security.ProtectionDomain;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The agent's one class file transformer. The java.base hooks are plain ASM edits
 * ({@link JdkHooks}); so are the model libraries' and the policy's {@code model.hooks}, as
 * {@link EntryHook}s written into a hooked class when it loads ({@link EntryHookEdit}), or
 * retransformed when it was loaded before the agent (attach). Byte Buddy's agent builder,
 * which loads about a thousand classes the first time a hooked library loads, is not used.
 */
public final class Hooks implements ClassFileTransformer {

    /**
     * Made at the first java.base edit: a JVM that never loads a stream class nor edits
     * {@code Hashtable} loads neither it nor ASM ({@link HookedJdkClasses}).
     */
    private JdkHooks jdk;
    /** Made when XMLDecoder's first handler loads: a JVM that never decodes XML never loads it. */
    private XmlDecoderEdits xmlDecoder;
    /**
     * Binary names of the classes with hooks, the built-in ones and the policy's, by length: a
     * name that passes {@link #exactEnds} is compared with the few of its length. Not a hash set:
     * hashing them at premain and each loaded JDK name the scan asks about took
     * {@code StringLatin1.hashCode} to C2 in 7 of 10 starts (BENCHMARKS.md, "Session 21").
     */
    private final String[][] exact;
    /** Internal package prefixes whose classes may take a hook on subtypes. */
    private final String[] packages;
    /**
     * The same names and prefixes as binary names, for the scan of the loaded classes at start:
     * a thousand classes or more, most of them named with no internal form made.
     */
    private final String[][] exactBinary;
    private final String[] packagesBinary;
    /**
     * The first characters of {@link #packagesBinary} and of the XMLDecoder's package, by
     * character: the scan tests a name's prefixes only when its first character is one of them
     * (most names at premain start with {@code j} or {@code s}, none of them).
     */
    private final boolean[] prefixStarts = new boolean[128];
    /** Whether a prefix starts with a character past {@link #prefixStarts}: every name is then tested. */
    private boolean anyStart;
    /**
     * The lengths and last characters of those names and of the java.base ones {@link JdkHooks}
     * edits: two words per length, a bit per last character (127 for every character from 127
     * on). A name is hashed or compared with an exact name only when its length and last
     * character are one's: most class names are none of them, and a fresh name's hash is a loop
     * over its characters. The test is written out where it is made, for every class loaded
     * (transform) or listed at start (install): a method called that often is compiled.
     */
    private final long[] exactEnds;
    /** The first characters of the names in {@link #exact} (127 for every character from 127 on). */
    private final boolean[] exactStarts = new boolean[128];
    private final List<ModelHook> userHooks;
    /** Made at the first hook on subtypes a loading class may take (its class, and ASM's reader, stay off premain). */
    private SuperTypes superTypes;
    private final Set<String> entryHooksApplied = ConcurrentHashMap.newKeySet();
    private final PrintStream console;
    /**
     * What waits for the first class that reads through the filter factory ({@code
     * ObjectInputStream}, or an XMLDecoder handler): see {@link #install}. Null once done, or
     * when nothing was deferred. Cleared only after it has run, so a thread that finds it null
     * knows the factory is in place.
     */
    private volatile Runnable beforeFirstStream;
    private final Object beforeFirstStreamLock = new Object();
    private volatile Thread runningBeforeFirstStream;
    /** Whether {@link #install} kept its {@code beforeFirstStream}, whether or not it has run since. */
    private boolean deferred;
    /** Set as ObjectInputStream or an XMLDecoder handler starts loading, before the work is looked for. */
    private volatile boolean streamClassLoading;
    /**
     * Run once, before the first class of a hooked library (or an XMLDecoder handler) is edited:
     * what the edited code calls (the model and deserializer gates) is made then, so a JVM that
     * loads no hooked library makes none of it. Null once run, or when there is none.
     */
    private volatile Runnable beforeFirstHook;
    /**
     * Run once, instead of {@link #beforeFirstHook}, before the first class whose edited code
     * calls only the model gate is edited: that gate alone is made then. Null once run, once
     * {@link #beforeFirstHook} ran, or when there is none.
     */
    private volatile Runnable beforeFirstModelHook;
    private final Object beforeFirstHookLock = new Object();

    private Hooks(PrintStream console, List<ModelHook> userHooks) {
        this.console = console;
        this.userHooks = userHooks;
        // Arrays, one pass each: a list, an iterator and a copy per name here were about a fifth
        // of the start's calls of those JDK methods, which the java.base edits' took to the JIT.
        String[] builtIn = Libraries.ENTRY_HOOKED;
        Set<String> jdkNames = HookedJdkClasses.binaryNames();
        String[] names = new String[builtIn.length + 1 + userHooks.size() + jdkNames.size()];
        String[] prefixes = new String[builtIn.length];
        int exactCount = 0;
        int prefixCount = 0;
        for (String name : builtIn) {
            if (name.charAt(name.length() - 1) == '.') {
                prefixes[prefixCount++] = name;
            } else {
                names[exactCount++] = name;
            }
        }
        names[exactCount++] = JavaSerializerEdit.TRIGGER; // no entry hook: an edit of its own (javaSerializer)
        for (int i = 0; i < userHooks.size(); i++) {
            names[exactCount++] = userHooks.get(i).className();
        }
        int withJdk = exactCount; // then the java.base names: the scan's one lookup holds both
        for (String name : jdkNames) {
            names[withJdk++] = name;
        }
        int[] lengths = new int[withJdk];
        int longest = 0;
        for (int i = 0; i < withJdk; i++) {
            lengths[i] = names[i].length();
            longest = Math.max(longest, lengths[i]);
        }
        this.exactEnds = new long[2 * (longest + 1)];
        for (int i = 0; i < withJdk; i++) {
            int last = Math.min(names[i].charAt(lengths[i] - 1), 127);
            exactEnds[2 * lengths[i] + (last >> 6)] |= 1L << last;
        }
        this.exactBinary = byLength(names, withJdk, longest);
        this.packagesBinary = Arrays.copyOf(prefixes, prefixCount);
        prefixStarts[XML_DECODER_PACKAGE.charAt(0)] = true;
        this.packages = new String[prefixCount];
        for (int i = 0; i < prefixCount; i++) {
            String prefix = packagesBinary[i];
            if (prefix.charAt(0) < prefixStarts.length) {
                prefixStarts[prefix.charAt(0)] = true;
            } else {
                anyStart = true; // a prefix that is not ASCII: test every name's prefixes
            }
            packages[i] = prefix.replace('.', '/');
        }
        this.exact = byLength(names, exactCount, longest);
        for (int i = 0; i < exactCount; i++) {
            char first = names[i].charAt(0);
            exactStarts[first < 127 ? first : 127] = true;
        }
    }

    /**
     * Registers the transformer. Hooked classes that are already loaded (on attach, or loaded
     * by something that ran before the agent) are retransformed now; the others when they load.
     *
     * @param userHooks the policy's {@code model.hooks}, hooked beside the built-in {@link Libraries}
     * @param beforeFirstStream with the JDK's serialization classes not yet loaded, run (after the
     *     retransformation of the loaded java.base classes it concerns but {@code Hashtable}) as the
     *     first class that reads through the filter factory loads, before any stream exists; so a
     *     JVM that never deserializes makes no edit and never initialises {@code
     *     ObjectInputFilter.Config}. It is handed the edits of {@code Hashtable} and {@code
     *     ConcurrentHashMap}, a {@link Predicate} to run before the first read of either (see
     *     {@link DeferredEdits}), or null when there is none to wait. Null, or those classes already loaded: nothing is deferred
     *     (see {@link #deferred}).
     * @param beforeFirstHook run once before the first class of a hooked library or an XMLDecoder
     *     handler is edited, on the thread that loads it (or retransforms it here); null for none
     * @param beforeFirstModelHook run once, on the same terms, before the first class whose every
     *     hook calls the model gate alone ({@link #callsOnlyTheModelGate}), unless {@code
     *     beforeFirstHook} ran first (what it makes includes the model gate); null for none
     */
    public static Hooks install(Instrumentation inst, PrintStream console, List<ModelHook> userHooks,
                                Consumer<Predicate<Class<?>>> beforeFirstStream, Runnable beforeFirstHook,
                                Runnable beforeFirstModelHook) {
        Hooks hooks = new Hooks(console, userHooks);
        hooks.beforeFirstHook = beforeFirstHook;
        hooks.beforeFirstModelHook = beforeFirstModelHook;
        // Retransformable, so another agent's retransformation starts from bytes we edit again.
        // Added before the loaded classes are listed, so that no class falls between the two.
        inst.addTransformer(hooks, true);
        boolean defer = beforeFirstStream != null;
        List<Class<?>> loaded = new ArrayList<>();
        List<Class<?>> javaBase = new ArrayList<>();
        for (Class<?> type : inst.getAllLoadedClasses()) {
            // An array class is never hooked: no name made for it (about one loaded class in seven
            // at premain; a class's first getName interns a new string).
            if (type.isArray()) {
                continue;
            }
            String binaryName = type.getName();
            // Length, last and first character before any string work: most of the thousand fail them.
            int length = binaryName.length();
            char end = binaryName.charAt(length - 1);
            int last = end < 127 ? end : 127;
            boolean exact = 2 * length < hooks.exactEnds.length
                    && (hooks.exactEnds[2 * length + (last >> 6)] & (1L << last)) != 0;
            char first = binaryName.charAt(0);
            if (!exact && !hooks.anyStart && (first >= hooks.prefixStarts.length || !hooks.prefixStarts[first])
                    || !hooks.mayBeHooked(binaryName, exact)) {
                continue;
            }
            String name = type.getName().replace('.', '/');
            boolean boot = type.getClassLoader() == null;
            if (boot && (JdkHooks.OBJECT_INPUT_STREAM.equals(name) || JdkHooks.FILTER_CONFIG.equals(name)
                    || isXmlDecoder(name))) {
                defer = false; // a stream, the factory or a decoder may already be in use
            }
            if ((boot && (HookedJdkClasses.handles(name) || isXmlDecoder(name)) || hooks.hookedLoaded(type, name))
                    && inst.isModifiableClass(type)) {
                (boot && HookedJdkClasses.handles(name) ? javaBase : loaded).add(type);
            }
        }
        if (defer) {
            hooks.deferred = true;
            hooks.beforeFirstStream = new BeforeFirstStream(hooks, inst, console, javaBase,
                    take(javaBase, "java.util.Hashtable"), take(javaBase, "java.util.concurrent.ConcurrentHashMap"),
                    beforeFirstStream);
            if (hooks.streamClassLoading) {
                hooks.runBeforeFirstStream(); // one started loading while the classes were listed
            }
        } else {
            loaded.addAll(javaBase);
        }
        retransform(inst, console, loaded);
        return hooks;
    }

    /**
     * Whether {@link #install} kept its {@code beforeFirstStream} for later (it may have run
     * since), rather than leaving it to the caller now.
     */
    public boolean deferred() {
        return deferred;
    }

    private static void retransform(Instrumentation inst, PrintStream console, List<Class<?>> classes) {
        for (Class<?> type : classes) {
            try {
                inst.retransformClasses(type);
            } catch (UnmodifiableClassException | RuntimeException | LinkageError e) {
                console.println("safeload: warning: cannot hook the loaded class " + type.getName() + ": " + e
                        + "; every stream is still checked by the filter, but this hook is off");
            }
        }
    }

    /** Removes the class named {@code name} from {@code javaBase} and returns it; null when it is not there. */
    private static Class<?> take(List<Class<?>> javaBase, String name) {
        for (int i = 0; i < javaBase.size(); i++) {
            if (javaBase.get(i).getName().equals(name)) {
                return javaBase.remove(i);
            }
        }
        return null;
    }

    /**
     * The deferred start work: the java.base classes loaded before the agent (but {@code
     * Hashtable} and {@code ConcurrentHashMap}, when their edits can wait: see {@link
     * DeferredEdits}), then the caller's, handed those edits or null. A class, not a lambda.
     */
    private record BeforeFirstStream(Hooks hooks, Instrumentation inst, PrintStream console, List<Class<?>> javaBase,
                                     Class<?> hashtable, Class<?> concurrentHashMap,
                                     Consumer<Predicate<Class<?>>> then) implements Runnable {
        @Override
        public void run() {
            List<Class<?>> now = javaBase;
            Predicate<Class<?>> deferredEdits = null;
            if ((hashtable != null || concurrentHashMap != null) && hooks.toldOfOverridingStreams()) {
                deferredEdits = new DeferredEdits(inst, console, hashtable, concurrentHashMap);
            } else if (hashtable != null || concurrentHashMap != null) {
                // No edited constructor will tell of a stream that overrides readObject (an
                // XMLDecoder handler came first, or a JDK not shaped as the edit expects): the
                // edits are made now, as they were before they could wait.
                now = new ArrayList<>(javaBase);
                if (hashtable != null) {
                    now.add(hashtable);
                }
                if (concurrentHashMap != null) {
                    now.add(concurrentHashMap);
                }
            }
            retransform(inst, console, now);
            then.accept(deferredEdits);
        }
    }

    /** Whether {@code ObjectInputStream} is loaded with its constructor's edit ({@link JdkHooks#toldOfOverridingStreams}). */
    private synchronized boolean toldOfOverridingStreams() {
        return jdk != null && jdk.toldOfOverridingStreams();
    }

    /**
     * The edits of {@code Hashtable} and {@code ConcurrentHashMap}, for a JVM that loaded the
     * classes before the agent (every JVM: the system properties are a Hashtable, and the JDK's
     * start uses ConcurrentHashMap): each retransformed once, when a stream first meets a class
     * descriptor of that class or a subclass ({@link #test}, handed the class; null for both),
     * rather than at every JVM's first stream (about 1.5 ms of CPU there for {@code Hashtable}
     * alone, for streams that mostly read neither). What follows is said of {@code Hashtable};
     * {@code ConcurrentHashMap} is the same. The stream's guard runs it at that
     * class's filter checkpoint, which the JDK makes as soon as the class is resolved, before any
     * object of it, or any other descriptor of its chain, is read: the JDK runs {@code
     * Hashtable.readObject} for a stream only for a {@code Hashtable} in the chain of a class it
     * resolved. Another thread meeting one meanwhile waits here until the edit is in place. A
     * library may also call {@code Hashtable.readObject} itself, by deep reflection (java.util
     * opened to it) or {@code sun.reflect.ReflectionFactory}, on a stream that overrides {@code
     * readObject} and so resolves nothing through the JDK (XStream's {@code SerializableConverter}
     * on a {@code Hashtable} subclass): such a stream's constructor, {@code
     * ObjectInputStream()}, is edited to tell its guard, which runs this edit before the
     * constructor returns (JdkEdits.overridingStream), so before its owner can read a table
     * through it. Where that constructor is not edited (not shaped as expected; or an XMLDecoder
     * handler, not {@code ObjectInputStream}, was the first class to read through the factory),
     * the edit is not deferred: it is made at the first stream, as before.
     *
     * <p>The retransformation runs on a thread of its own while the caller waits, as the first
     * stream's work does ({@link #runBeforeFirstStream}): a stream read inside a transformer of
     * this agent would otherwise retransform {@code Hashtable} without its edit.
     */
    private static final class DeferredEdits implements Predicate<Class<?>> {
        private final Instrumentation inst;
        private final PrintStream console;
        /** Each class whose edit is still to be made; null once made, or never deferred. */
        private volatile Class<?> hashtable;
        private volatile Class<?> concurrentHashMap;

        DeferredEdits(Instrumentation inst, PrintStream console, Class<?> hashtable, Class<?> concurrentHashMap) {
            this.inst = inst;
            this.console = console;
            this.hashtable = hashtable;
            this.concurrentHashMap = concurrentHashMap;
        }

        /**
         * Makes the edit {@code type} (a class a stream resolved; null for a stream that overrides
         * {@code readObject}) needs, if it is not made yet; true once no edit is left to make.
         */
        @Override
        public boolean test(Class<?> type) {
            boolean table = hashtable != null && (type == null || java.util.Hashtable.class.isAssignableFrom(type));
            boolean map = concurrentHashMap != null && (type == null || ConcurrentHashMap.class.isAssignableFrom(type));
            if (table || map) {
                synchronized (this) {
                    List<Class<?>> edit = new ArrayList<>(2);
                    Class<?> t = hashtable;
                    Class<?> m = concurrentHashMap;
                    if (table && t != null) {
                        edit.add(t);
                    }
                    if (map && m != null) {
                        edit.add(m);
                    }
                    if (!edit.isEmpty()) {
                        Thread worker = new Thread(new Retransform(inst, console, edit), "safeload-hashtable");
                        worker.setDaemon(true);
                        // A thread that cannot start throws out of the stream's filter, failing that stream,
                        // and leaves the edit to the next such class met.
                        startAndWait(worker, console);
                        if (table) {
                            hashtable = null;
                        }
                        if (map) {
                            concurrentHashMap = null;
                        }
                    }
                }
            }
            return hashtable == null && concurrentHashMap == null;
        }
    }

    /** Retransforms {@code classes}, warning for each that cannot be. A class, not a lambda. */
    private record Retransform(Instrumentation inst, PrintStream console, List<Class<?>> classes) implements Runnable {
        @Override
        public void run() {
            retransform(inst, console, classes);
        }
    }

    /**
     * Runs the deferred start work once, as {@code ObjectInputStream} or an XMLDecoder handler
     * loads: no stream or document can exist before that class is defined. Another thread
     * loading such a class meanwhile waits here until the work is done.
     *
     * <p>The work runs on a thread of its own while this one waits: the JVM's agent support
     * calls no transformer of this agent for a class that the thread already inside one loads
     * or retransforms (its reentrancy guard), so done here, {@code ObjectInputFilter.Config}
     * would load without its edit and {@code Hashtable} would be retransformed unedited.
     */
    private void runBeforeFirstStream() {
        if (beforeFirstStream == null || Thread.currentThread() == runningBeforeFirstStream) {
            return;
        }
        synchronized (beforeFirstStreamLock) {
            Runnable work = beforeFirstStream;
            if (work == null) {
                return;
            }
            Thread worker = new Thread(work, "safeload-first-stream");
            worker.setDaemon(true);
            runningBeforeFirstStream = worker;
            try {
                startAndWait(worker, console);
            } finally {
                runningBeforeFirstStream = null;
                beforeFirstStream = null;
            }
        }
    }

    /**
     * Starts {@code worker} and waits for it to end. Never seen to hang: if it does (a deadlock
     * with what this thread holds), the JVM stops rather than deserialize unprotected.
     */
    private static void startAndWait(Thread worker, PrintStream console) {
        boolean interrupted = false;
        try {
            worker.start();
            long deadline = System.nanoTime() + BEFORE_FIRST_STREAM_TIMEOUT_NANOS;
            while (worker.isAlive()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    console.println("safeload: the deserialization guard did not install within "
                            + BEFORE_FIRST_STREAM_TIMEOUT_NANOS / 1_000_000_000L + " s; stopping the JVM rather than"
                            + " deserializing unprotected (fail closed)");
                    Runtime.getRuntime().halt(dev.safeload.agent.SafeloadAgent.EXIT_INVALID_CONFIG);
                }
                try {
                    worker.join(Math.max(1, left / 1_000_000L));
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static final long BEFORE_FIRST_STREAM_TIMEOUT_NANOS = 60_000_000_000L;

    @Override
    public byte[] transform(Module module, ClassLoader loader, String name, Class<?> redefined,
                            ProtectionDomain domain, byte[] bytes) {
        if (name == null || name.isEmpty()) {
            return null;
        }
        // A length, last- and first-character test before any string work: for most classes the
        // JVM loads, no hash, equals or startsWith (their calls, with the host's, pushed those JDK
        // methods over the JIT's thresholds at start). The tables are of binary names; an internal
        // name has the same length, first and last character.
        int length = name.length();
        char end = name.charAt(length - 1);
        int last = end < 127 ? end : 127;
        boolean exact = 2 * length < exactEnds.length && (exactEnds[2 * length + (last >> 6)] & (1L << last)) != 0;
        char first = name.charAt(0);
        if (!exact && !anyStart && (first >= prefixStarts.length || !prefixStarts[first])) {
            return null;
        }
        return candidate(loader, name, exact, bytes);
    }

    /**
     * {@link #transform} for a name that passed its first tests ({@code exact}: {@link
     * #exactEnds}): a method apart, so that the JIT's compile of {@code transform}, called for
     * every class, is of those tests alone.
     */
    private byte[] candidate(ClassLoader loader, String name, boolean exact, byte[] bytes) {
        if (loader == null && exact && HookedJdkClasses.handles(name)) {
            byte[] edited = jdk().rewrite(name, bytes);
            if (JdkHooks.OBJECT_INPUT_STREAM.equals(name)) {
                streamClassLoading = true;
                runBeforeFirstStream();
            }
            return edited;
        }
        if (loader == null && isXmlDecoder(name)) {
            runBeforeFirstHook();
            byte[] edited = xmlDecoder().rewrite(name, bytes);
            streamClassLoading = true;
            runBeforeFirstStream();
            return edited;
        }
        char first = name.charAt(0);
        // A binary name is made for the exact lookup only when the first character is one's too:
        // most names that pass the length test here are the JDK's (java/, jdk/, sun/), none of them.
        String className = exact && exactStarts[first < 127 ? first : 127] ? name.replace('/', '.') : null;
        boolean named = className != null && exact(className);
        if (!named && !inPackages(name)) {
            return null;
        }
        if (className == null) {
            className = name.replace('/', '.');
        }
        try {
            List<EntryHook> hooks = new ArrayList<>();
            for (EntryHook hook : Libraries.entryHooks(className)) {
                if (!hook.onSubtypes() || superTypes().has(bytes, loader, hook.supertype())) {
                    hooks.add(hook);
                }
            }
            if (named) {
                hooks.addAll(Libraries.userHooks(className, userHooks));
            }
            // Before the class is edited, so before its edited code can run: what that code calls is made now.
            if (callsOnlyTheModelGate(hooks) && !className.equals(JavaSerializerEdit.TRIGGER)) {
                runBeforeFirstModelHook();
            } else if (!hooks.isEmpty() || className.equals(JavaSerializerEdit.TRIGGER)) {
                runBeforeFirstHook();
            }
            byte[] edited = hooks.isEmpty() ? null : edit(className, bytes, hooks);
            if (className.equals(JavaSerializerEdit.TRIGGER)) {
                edited = javaSerializer(edited != null ? edited : bytes, edited);
            }
            return edited;
        } catch (RuntimeException | LinkageError e) {
            // The JDK would swallow it and load the class unhooked without a word.
            console.println("safeload: warning: cannot hook " + className + ": " + e
                    + "; what it loads is not checked");
            return null;
        }
    }

    /**
     * Runs {@code beforeFirstHook} once. On the loading thread, inside this transformer: the
     * classes it loads are the agent's own, which need no transformer (the JVM calls none of
     * this agent's for them on this thread).
     */
    private void runBeforeFirstHook() {
        if (beforeFirstHook == null) {
            return;
        }
        synchronized (beforeFirstHookLock) {
            Runnable work = beforeFirstHook;
            if (work != null) {
                work.run();
                beforeFirstHook = null;
                beforeFirstModelHook = null; // what it makes includes the model gate
            }
        }
    }

    /** Runs {@code beforeFirstModelHook} once, unless {@code beforeFirstHook} ran first. */
    private void runBeforeFirstModelHook() {
        if (beforeFirstModelHook == null) {
            return;
        }
        synchronized (beforeFirstHookLock) {
            Runnable work = beforeFirstModelHook;
            if (work != null) {
                work.run();
                beforeFirstModelHook = null;
            }
        }
    }

    /** The model gate's binary name, as a string: a class literal would load the gate here. */
    static final String MODEL_GATE = "dev.safeload.model.gate.ModelLoadGate";

    /**
     * Whether {@code hooks} is not empty and every hook's edited code calls the model gate and
     * nothing else of the agent: its bridge is the gate, and no value is made by a bootstrap.
     */
    static boolean callsOnlyTheModelGate(List<EntryHook> hooks) {
        if (hooks.isEmpty()) {
            return false;
        }
        for (EntryHook hook : hooks) {
            if (!MODEL_GATE.equals(hook.bridgeOwner())) {
                return false;
            }
            for (EntryHook.Value value : hook.values()) {
                if (value.site() != null) {
                    return false;
                }
            }
        }
        return true;
    }

    private synchronized SuperTypes superTypes() {
        if (superTypes == null) {
            superTypes = new SuperTypes();
        }
        return superTypes;
    }

    private synchronized JdkHooks jdk() {
        if (jdk == null) {
            jdk = new JdkHooks(console);
        }
        return jdk;
    }

    /** By package first, so that no XMLDecoder class of the agent loads before the decoder's own. */
    private static boolean isXmlDecoder(String internalName) {
        return internalName.startsWith("com/sun/beans/decoder/") && XmlDecoderEdits.handles(internalName);
    }

    private synchronized XmlDecoderEdits xmlDecoder() {
        if (xmlDecoder == null) {
            xmlDecoder = new XmlDecoderEdits(console);
        }
        return xmlDecoder;
    }

    /** Kryo's {@code JavaSerializer} with its edit; {@code fallback} (the bytes so far, or null) and a warning when it has no place for it. */
    private byte[] javaSerializer(byte[] bytes, byte[] fallback) {
        byte[] edited = JavaSerializerEdit.apply(bytes);
        if (edited == null) {
            console.println("safeload: warning: cannot edit " + JavaSerializerEdit.TRIGGER + ".read; a refusal in a class"
                    + " it reads is still refused, but as Kryo's \"Error during Java deserialization.\"");
            return fallback;
        }
        entryHooksApplied.add(JavaSerializerEdit.TRIGGER + ".read");
        return edited;
    }

    /** The entry hooks written so far, as {@code class.method(descriptor)}; for tests and the start check. */
    public Set<String> entryHooksApplied() {
        return Set.copyOf(entryHooksApplied);
    }

    private byte[] edit(String className, byte[] bytes, List<EntryHook> hooks) {
        EntryHookEdit.Result result = EntryHookEdit.apply(bytes, hooks);
        for (String problem : result.problems()) {
            console.println("safeload: warning: cannot hook " + problem
                    + "; what it loads through that method is not checked");
        }
        for (EntryHook hook : result.applied()) {
            entryHooksApplied.add(hook.toString());
        }
        return result.bytes();
    }

    /** A loaded class to retransform: named, or under a package and of a hook's supertype. */
    private boolean hookedLoaded(Class<?> type, String internalName) {
        if (exact(type.getName())) {
            return true;
        }
        if (!inPackages(internalName)) {
            return false;
        }
        for (EntryHook hook : Libraries.entryHooks(type.getName())) {
            if (hook.onSubtypes() && SuperTypes.has(type, hook.supertype())) {
                return true;
            }
        }
        return false;
    }

    /**
     * False for a loaded class that no hook can concern, by its binary name alone: the scan at
     * start makes no internal name for those (about 1,000 replace calls interpreted at premain).
     * Asked only of a name that passed the scan's first tests ({@code exact}: {@link #exactEnds}).
     */
    private boolean mayBeHooked(String binaryName, boolean exact) {
        if (exact && contains(exactBinary, binaryName)) {
            return true; // the loader is checked by the caller
        }
        char first = binaryName.charAt(0);
        if (!anyStart && (first >= prefixStarts.length || !prefixStarts[first])) {
            return false;
        }
        if (binaryName.startsWith(XML_DECODER_PACKAGE)) {
            return true; // the XMLDecoder names and the loader are checked by the caller
        }
        for (String prefix : packagesBinary) {
            if (binaryName.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    /** The package of XMLDecoder's handlers, as a binary name prefix. */
    private static final String XML_DECODER_PACKAGE = "com.sun.beans.decoder.";

    /** The first {@code count} of {@code names}, none longer than {@code longest}, by length. */
    private static String[][] byLength(String[] names, int count, int longest) {
        int[] sizes = new int[longest + 1];
        for (int i = 0; i < count; i++) {
            sizes[names[i].length()]++;
        }
        String[][] table = new String[longest + 1][];
        for (int i = 0; i < count; i++) {
            int length = names[i].length();
            if (table[length] == null) {
                table[length] = new String[sizes[length]];
                sizes[length] = 0;
            }
            table[length][sizes[length]++] = names[i];
        }
        return table;
    }

    private static boolean contains(String[][] byLength, String name) {
        return ClassPatterns.exactIn(byLength, name) != null;
    }

    private boolean exact(String binaryName) {
        return contains(exact, binaryName);
    }

    private boolean inPackages(String internalName) {
        for (String prefix : packages) {
            if (internalName.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }
}
