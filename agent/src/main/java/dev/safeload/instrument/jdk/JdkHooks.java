package dev.safeload.instrument.jdk;

import java.io.PrintStream;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;

/**
 * The agent's hooks in java.base, written as plain byte edits of the class files
 * ({@link CodeEditor}, the code each inserts in {@link JdkEdits}). Byte Buddy's advice machinery
 * would load about a thousand classes at start to do the same, and ASM 27; these edits load a
 * handful of the agent's own, when the hooked class itself loads. Only the edited methods' code is
 * decoded; the rest of the class, its constant pool included, is copied byte for byte, and the
 * constants the inserted code names are appended to the pool.
 *
 * <p>The inserted code may name JDK types only, since java.base cannot see the agent: it reaches
 * the agent's guard through JDK interfaces that the guard implements, as the stream's filter.
 * Every branch target gets an explicit stack map frame: java.base is not verified by default,
 * so a wrong frame would not be caught at load (StartupWindowTest runs a JVM with
 * {@code -XX:+BytecodeVerificationLocal} to catch it). Nothing is computed: the original frames
 * are moved as they are, and the inserted ones are written out by each edit.
 *
 * <ul>
 *   <li>{@code ObjectInputStream.readObject0}: at a top-level read (depth 0) on entry and on
 *       exit, normal or thrown, tells the guard ({@code IntConsumer} +1/-1), so a stream opened
 *       during deserialization is known to be nested. A stream created before the agent was
 *       attached is given its guard at its next top-level read.</li>
 *   <li>{@code ObjectInputStream.filterCheck}: tells the guard ({@code LongBinaryOperator})
 *       the handles, depth and count at every checkpoint (and whether a back-reference names a
 *       class descriptor), so it can measure how far the graph
 *       expands through shared references; for a back-reference, which can only fail a limit,
 *       the JDK's filter call, and the {@code FilterInfo} it allocates, is skipped when the
 *       guard says so.</li>
 *   <li>{@code ObjectStreamClass.readNonProxy}: on return, hands the class name and flags to the
 *       guard ({@code ObjIntConsumer}) before {@code resolveClass} runs.</li>
 *   <li>{@code ObjectInputStream.readOrdinaryObject}: once the object's fields are read, hands it
 *       to the guard ({@code ObjLongConsumer}, with its depth and handle) before it is handed out
 *       ({@link JdkEdits#readOrdinaryObject}).</li>
 *   <li>{@code ObjectInputStream.readProxyDesc}: right before it calls {@code resolveProxyClass},
 *       hands the interface names to the guard ({@code Consumer}), since the JDK makes the proxy
 *       class, which is never unloaded, before its filter sees a single interface.</li>
 *   <li>{@code ObjectInputFilter.Config.setSerialFilterFactory}: on entry, offers the host's
 *       factory to the agent's gate ({@code Predicate}); when it is adopted the JDK's method is
 *       skipped instead of throwing {@code IllegalStateException}.</li>
 *   <li>{@code Hashtable.readHashtable}: every 256 entries put, tells the stream's guard
 *       ({@code IntConsumer}, 0), so its CPU clock is consulted while String keys, which pass no
 *       filter checkpoint, collide in a bucket that is never treeified ({@link JdkEdits#readHashtable}).</li>
 *   <li>{@code ConcurrentHashMap.readObject}: after each put into a tree bin as it builds its
 *       table, tells the stream's guard ({@code IntConsumer}, -3), so its CPU clock is consulted
 *       while keys that share a hash code and do not compare cost each put a search of the bin,
 *       after the map's last filter checkpoint ({@link JdkEdits#concurrentHashMapReadObject}).</li>
 *   <li>{@code CollSer.readObject} (the serial proxy of {@code List.of}, {@code Set.of} and
 *       {@code Map.of}): once its elements are read, hands them and its tag to the stream's guard
 *       ({@code BiConsumer}), which counts the probes {@code Set.of}'s or {@code Map.of}'s table
 *       will make before {@code readResolve} builds it ({@link JdkEdits#collSerReadObject}).</li>
 *   <li>{@code PriorityQueue.readObject}: right before {@code heapify}, hands the elements read to
 *       the stream's guard ({@code BiConsumer}, -1), which bounds what the comparisons will scan
 *       ({@link JdkEdits#priorityQueueReadObject}).</li>
 *   <li>{@code ObjectInputStream.<init>()}, the constructor of a subclass that overrides {@code
 *       readObject}: on return, tells the stream's guard ({@code IntConsumer}, -2), so that
 *       {@code Hashtable}'s edit, when it waits for a stream that needs it, is in place before
 *       such a stream's owner can call {@code Hashtable.readObject} on it
 *       ({@link JdkEdits#overridingStream}).</li>
 * </ul>
 */
public final class JdkHooks {

    public static final String OBJECT_INPUT_STREAM = JdkEdits.OBJECT_INPUT_STREAM;
    public static final String OBJECT_STREAM_CLASS = JdkEdits.OBJECT_STREAM_CLASS;
    public static final String FILTER_CONFIG = JdkEdits.FILTER_CONFIG;
    public static final String HASHTABLE = JdkEdits.HASHTABLE;
    public static final String CONCURRENT_HASH_MAP = JdkEdits.CONCURRENT_HASH_MAP;
    public static final String COLL_SER = JdkEdits.COLL_SER;
    public static final String PRIORITY_QUEUE = JdkEdits.PRIORITY_QUEUE;

    private static final String FILTER_DESC = "Ljava/io/ObjectInputFilter;";
    private static final String HANDLE_TABLE = "java/io/ObjectInputStream$HandleTable";

    private final PrintStream console;
    private final Set<String> hooked = ConcurrentHashMap.newKeySet();

    public JdkHooks(PrintStream console) {
        this.console = console;
    }

    /** The methods hooked so far, as {@code class.method}; for tests and the start check. */
    public Set<String> hooked() {
        return Set.copyOf(hooked);
    }

    /**
     * Whether the constructor of streams that override {@code readObject} tells their guard of
     * them: if not (not yet loaded, or not shaped as the edit expects), {@code Hashtable}'s edit
     * cannot wait for a stream that needs it.
     */
    public boolean toldOfOverridingStreams() {
        return hooked.contains(Site.OVERRIDING_STREAM.toString());
    }

    /** One edited method: where it is, the fields its inserted code reads, and the edit. */
    private enum Site {
        READ_OBJECT(OBJECT_INPUT_STREAM, "readObject0", "(Ljava/lang/Class;Z)Ljava/lang/Object;",
                "depth:J", "serialFilter:" + FILTER_DESC),
        FILTER_CHECK(OBJECT_INPUT_STREAM, "filterCheck", "(Ljava/lang/Class;I)V",
                "depth:J", "totalObjectRefs:J", "serialFilter:" + FILTER_DESC, "handles:L" + HANDLE_TABLE + ";",
                "passHandle:I"),
        READ_ORDINARY_OBJECT(OBJECT_INPUT_STREAM, "readOrdinaryObject", "(Z)Ljava/lang/Object;",
                "serialFilter:" + FILTER_DESC),
        READ_NON_PROXY(OBJECT_STREAM_CLASS, "readNonProxy", "(Ljava/io/ObjectInputStream;)V",
                "name:Ljava/lang/String;", "isEnum:Z"),
        READ_PROXY_DESC(OBJECT_INPUT_STREAM, "readProxyDesc", "(Z)Ljava/io/ObjectStreamClass;",
                "serialFilter:" + FILTER_DESC),
        SET_FACTORY(FILTER_CONFIG, "setSerialFilterFactory", "(Ljava/util/function/BinaryOperator;)V",
                "serialFilterFactory:Ljava/util/function/BinaryOperator;"),
        READ_HASHTABLE(HASHTABLE, "readHashtable", "(Ljava/io/ObjectInputStream;)V"),
        READ_CONCURRENT_HASH_MAP(CONCURRENT_HASH_MAP, "readObject", "(Ljava/io/ObjectInputStream;)V"),
        READ_COLL_SER(COLL_SER, "readObject", "(Ljava/io/ObjectInputStream;)V", "array:[Ljava/lang/Object;", "tag:I"),
        READ_PRIORITY_QUEUE(PRIORITY_QUEUE, "readObject", "(Ljava/io/ObjectInputStream;)V", "queue:[Ljava/lang/Object;"),
        OVERRIDING_STREAM(OBJECT_INPUT_STREAM, "<init>", "()V", "serialFilter:" + FILTER_DESC, "enableOverride:Z");

        final String owner;
        final String method;
        final String descriptor;
        /** The method name's length, kept: compared with every method's, it was a length call each. */
        final int methodLength;
        /** The fields' names and descriptors, split once here: no substring, set iterator or length call per edit. */
        final String[] fieldNames;
        final String[] fieldDescriptors;

        Site(String owner, String method, String descriptor, String... fields) {
            this.owner = owner;
            this.method = method;
            this.descriptor = descriptor;
            this.methodLength = method.length();
            fieldNames = new String[fields.length];
            fieldDescriptors = new String[fields.length];
            for (int i = 0; i < fields.length; i++) {
                int colon = fields[i].indexOf(':');
                fieldNames[i] = fields[i].substring(0, colon);
                fieldDescriptors[i] = fields[i].substring(colon + 1);
            }
        }

        /** Inserts this site's code; false when the method is not shaped as the edit expects. */
        boolean edit(CodeEditor code) {
            return switch (this) {
                case READ_ORDINARY_OBJECT -> JdkEdits.readOrdinaryObject(code);
                case READ_OBJECT -> JdkEdits.readObject0(code);
                case FILTER_CHECK -> JdkEdits.filterCheck(code);
                case READ_NON_PROXY -> JdkEdits.readNonProxy(code);
                case READ_PROXY_DESC -> JdkEdits.readProxyDesc(code);
                case SET_FACTORY -> JdkEdits.setSerialFilterFactory(code);
                case READ_HASHTABLE -> JdkEdits.readHashtable(code);
                case READ_CONCURRENT_HASH_MAP -> JdkEdits.concurrentHashMapReadObject(code);
                case READ_COLL_SER -> JdkEdits.collSerReadObject(code);
                case READ_PRIORITY_QUEUE -> JdkEdits.priorityQueueReadObject(code);
                case OVERRIDING_STREAM -> JdkEdits.overridingStream(code);
            };
        }

        @Override
        public String toString() {
            return owner.replace('/', '.') + "." + method;
        }
    }

    /**
     * The hooked class bytes, or null to leave the class as it is. Nothing is thrown: a JDK
     * whose internals changed gets a warning on the console, and the filter alone.
     */
    public byte[] rewrite(String internalName, byte[] bytes) {
        try {
            List<Site> sites = new ArrayList<>();
            for (Site site : Site.values()) {
                if (site.owner.equals(internalName)) {
                    sites.add(site);
                }
            }
            if (sites.isEmpty()) {
                return null;
            }
            Hook hook = edit(bytes, sites, true);
            if (!hook.missed.isEmpty() || hook.unframed) {
                // Retransformed on JDK 17: the JVM kept no frames of an unverified boot class,
                // so the edits would find none to build on (or write a table of their own
                // frames alone). The runtime image's class file, if the code is the same, has them.
                byte[] original = FramedOriginal.of(internalName, bytes);
                if (original != null) {
                    hook = edit(original, sites, true);
                } else if (hook.unframed) {
                    // The JVM does not verify this class; a table of the inserted frames alone would be wrong.
                    hook = edit(bytes, sites, false);
                }
            }
            for (Site site : sites) {
                if (hook.edited.contains(site)) {
                    hooked.add(site.toString());
                } else {
                    console.println("safeload: warning: cannot hook " + site + ": "
                            + (hook.missed.contains(site) ? "its code is not shaped as the edit expects"
                                    + (hook.why.containsKey(site) ? " (" + hook.why.get(site) + ")" : "")
                                    : hook.found.contains(site) ? "a field it reads is missing" : "no such method")
                            + " in this JDK; every stream is still checked by the filter, but this hook's"
                            + " extra checks are off");
                }
            }
            return hook.bytes;
        } catch (RuntimeException | LinkageError e) {
            console.println("safeload: warning: cannot hook " + internalName.replace('/', '.') + ": " + e
                    + "; every stream is still checked by the filter, but this hook's extra checks are off");
            return null;
        }
    }

    /** What one pass of the edits over a class did. */
    private static final class Hook {
        final Set<Site> found = EnumSet.noneOf(Site.class);
        final Set<Site> edited = EnumSet.noneOf(Site.class);
        final Set<Site> missed = EnumSet.noneOf(Site.class);
        /** Why a site was missed, when the editor refused it (rather than the edit finding no place). */
        final java.util.Map<Site, String> why = new java.util.EnumMap<>(Site.class);
        /** The edited class, or null when no method was edited. */
        byte[] bytes;
        /** No method to edit had a stack map frame: the bytes came from a JVM that dropped them. */
        boolean unframed = true;
    }

    /**
     * Edits {@code bytes}: each site's method, when the class declares every field its code
     * reads; {@code withFrames} false, for code that came with none, writes none. A method whose
     * edit finds no place, or that the editor refuses, keeps its original code.
     */
    private static Hook edit(byte[] bytes, List<Site> sites, boolean withFrames) {
        ClassFileLayout layout = new ClassFileLayout(bytes);
        CodeEditor.Constants constants = new CodeEditor.Constants(layout);
        Hook hook = new Hook();
        List<int[]> spans = new ArrayList<>(); // each edited Code attribute: offset, length
        List<byte[]> codes = new ArrayList<>();
        Site[] wanted = sites.toArray(new Site[0]); // an array: no iterator per method, interpreted at the first stream
        boolean[] found = new boolean[wanted.length]; // hook.found by index: no set lookup per method and site
        // The names' lengths first: most methods match no site's, and are not compared byte by byte.
        int[] nameLengths = layout.nameLengths(layout.methods);
        int[] fieldNameLengths = layout.nameLengths(layout.fields);
        for (int m = 0; m < layout.methods.length; m++) { // in class file order
            int method = layout.methods[m];
            int nameLength = nameLengths[m];
            for (int s = 0; s < wanted.length; s++) {
                Site site = wanted[s];
                if (found[s] || nameLength != site.methodLength || !layout.named(method, site.method, site.descriptor)
                        || (layout.u2(method) & ACC_ABSTRACT) != 0) {
                    continue;
                }
                found[s] = true;
                hook.found.add(site);
                if (!declaresAll(layout, fieldNameLengths, site)) {
                    continue;
                }
                try {
                    CodeEditor code = new CodeEditor(layout, method, constants);
                    if (code.hasFrames()) {
                        hook.unframed = false;
                    }
                    if (!site.edit(code)) {
                        hook.missed.add(site);
                        continue;
                    }
                    byte[] edited = code.write(withFrames);
                    spans.add(code.span());
                    codes.add(edited);
                    hook.edited.add(site);
                } catch (CodeEditor.Refused e) {
                    hook.missed.add(site);
                    hook.why.put(site, e.getMessage());
                }
            }
        }
        if (hook.edited.isEmpty()) {
            return hook;
        }
        // Constants a refused edit appended stay: unused entries are valid, and cost a few bytes.
        hook.bytes = CodeEditor.graft(layout, constants, spans, codes);
        return hook;
    }

    private static final int ACC_ABSTRACT = 0x0400;

    /** Whether the class declares every field the site's code reads; {@code nameLengths} are the fields' names' lengths. */
    private static boolean declaresAll(ClassFileLayout layout, int[] nameLengths, Site site) {
        for (int i = 0; i < site.fieldNames.length; i++) {
            String name = site.fieldNames[i];
            int length = name.length();
            boolean declared = false;
            for (int f = 0; f < layout.fields.length; f++) {
                // The name's length first: most fields have another's, and are not compared by a call.
                if (nameLengths[f] == length && layout.named(layout.fields[f], name, site.fieldDescriptors[i])) {
                    declared = true;
                    break;
                }
            }
            if (!declared) {
                return false;
            }
        }
        return true;
    }
}
