package dev.safeload.instrument.edit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.lang.invoke.CallSite;
import java.lang.invoke.ConstantCallSite;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Public, as bridges are: the edited class calls into it from a loader of its own. */
public class EntryHookEditTest {

    /** The class the hooks go on; loaded edited in a loader of its own. */
    public static final class Library {
        private final String name;

        public Library(String name) {
            this.name = name;
        }

        public String name() {
            return name;
        }

        public static String load(String path, long size, int flags) {
            return "loaded " + path + " " + size + " " + flags;
        }

        public String open(Object source) {
            return name + " opened " + source;
        }

        public String open(Object source, boolean twice) {
            return name + " opened " + source + (twice ? " twice" : "");
        }

        public static int loop(int n) {
            // A branch target at the method's first instruction: its frame must survive the edit.
            int i = 0;
            while (i < n) {
                i++;
            }
            return i;
        }

        public static String shapes(int n, boolean flag) {
            // Every offset below moves with the edit: a tableswitch's padding, a handler's range, a
            // new whose uninitialized object is on the stack across a branch, frames far into the code.
            String s;
            switch (n) {
                case 0 -> s = "zero";
                case 1 -> s = "one";
                case 2 -> s = "two";
                default -> s = "many";
            }
            try {
                s = s + Integer.parseInt(flag ? "1" : "x");
            } catch (NumberFormatException e) {
                s = s + "!";
            }
            return new StringBuilder(flag ? s : s.toUpperCase(java.util.Locale.ROOT)).reverse().toString();
        }
    }

    /** Compiled without string concatenation or lambdas, so it still loads as a Java 6 class file. */
    public static final class Legacy {
        public static Object pass(Object value) {
            return value;
        }
    }

    static final List<List<Object>> CALLS = new ArrayList<>();
    /** The class each call site was linked in. */
    static final List<Class<?>> LINKED_IN = new ArrayList<>();
    static Throwable answer;
    static Object replacement;

    @BeforeEach
    void reset() {
        CALLS.clear();
        LINKED_IN.clear();
        answer = null;
        replacement = null;
    }

    public static Throwable check(String library, String method, Object path, long size, int flags, Class<?> hooked) {
        CALLS.add(List.of(library, method, path, size, flags, hooked));
        return answer;
    }

    public static Object replace(Object self, Object source) {
        CALLS.add(List.of(self, source));
        return replacement != null ? replacement : source;
    }

    public static void observe(String method, Object source) {
        CALLS.add(List.of(method, source));
    }

    public static void observeFlag(String method, boolean flag) {
        CALLS.add(List.of(method, flag));
    }

    public static void observePair(Object first, Object second) {
        CALLS.add(List.of(first, second));
    }

    public static void observeSites(int length, Object name) {
        CALLS.add(List.of(length, name == null ? "null" : name));
    }

    /** A call site answering {@code String.valueOf(value).length()}, or -2 for null. */
    public static CallSite lengthOf(MethodHandles.Lookup caller, String name, MethodType type) throws Exception {
        LINKED_IN.add(caller.lookupClass());
        MethodHandle length = MethodHandles.lookup().findStatic(EntryHookEditTest.class, "length",
                MethodType.methodType(int.class, Object.class));
        return new ConstantCallSite(length.asType(type));
    }

    /** A call site answering its receiver's {@code name()} through the hooked class's own lookup. */
    public static CallSite nameOf(MethodHandles.Lookup caller, String name, MethodType type) throws Exception {
        LINKED_IN.add(caller.lookupClass());
        return new ConstantCallSite(caller.findVirtual(caller.lookupClass(), "name", MethodType.methodType(String.class))
                .asType(type));
    }

    private static int length(Object value) {
        return value == null ? -2 : String.valueOf(value).length();
    }

    public static void observeShape(int n, boolean flag) {
        CALLS.add(List.of(n, flag));
    }

    public static Throwable checkLoop(int n) {
        CALLS.add(List.of(n));
        return null;
    }

    private static final String BRIDGE = EntryHookEditTest.class.getName();
    private static final String LIBRARY = Library.class.getName();

    @Test
    void passesConstantsArgumentsOfEveryTypeAndTheHookedClass() throws Exception {
        Class<?> edited = edit(EntryHook.at(LIBRARY, "load").constant("lib").hookedMethod().argument(0).argument(1)
                .argument(2).hookedClass().throwsReturned(BRIDGE, "check"));
        Object result = edited.getMethod("load", String.class, long.class, int.class).invoke(null, "m.bin", 1L << 40, 7);
        assertEquals("loaded m.bin 1099511627776 7", result);
        assertEquals(List.of(List.of("lib", LIBRARY + ".load", "m.bin", 1L << 40, 7, edited)), CALLS);
    }

    @Test
    void throwsTheBridgesRefusalBeforeTheMethodRuns() throws Exception {
        Class<?> edited = edit(EntryHook.at(LIBRARY, "load").constant("lib").hookedMethod().argument(0).argument(1)
                .argument(2).hookedClass().throwsReturned(BRIDGE, "check"));
        answer = new IOException("safeload: refused");
        Method load = edited.getMethod("load", String.class, long.class, int.class);
        InvocationTargetException thrown = assertThrows(InvocationTargetException.class, () -> load.invoke(null, "x", 1L, 2));
        assertSame(answer, thrown.getCause());
    }

    @Test
    void replacesAnArgumentOfAnInstanceMethodAndLeavesOtherOverloadsAlone() throws Exception {
        Class<?> edited = edit(EntryHook.at(LIBRARY, "open").arguments(1).self().argument(0)
                .replacesArgument(0, BRIDGE, "replace"));
        Object library = edited.getConstructor(String.class).newInstance("lib");
        replacement = "a fresh stream";
        assertEquals("lib opened a fresh stream", edited.getMethod("open", Object.class).invoke(library, "stream"));
        assertEquals("lib opened stream twice",
                edited.getMethod("open", Object.class, boolean.class).invoke(library, "stream", true));
        assertEquals(List.of(List.of(library, "stream")), CALLS);
        replacement = new IllegalStateException("safeload: refused");
        Method open = edited.getMethod("open", Object.class);
        InvocationTargetException thrown = assertThrows(InvocationTargetException.class, () -> open.invoke(library, "s"));
        assertSame(replacement, thrown.getCause());
    }

    @Test
    void hooksEveryOverloadWhenNoDescriptorIsGiven() throws Exception {
        Class<?> edited = edit(EntryHook.at(LIBRARY, "open").hookedMethod().argument(0).calls(BRIDGE, "observe"));
        Object library = edited.getConstructor(String.class).newInstance("lib");
        edited.getMethod("open", Object.class).invoke(library, "a");
        edited.getMethod("open", Object.class, boolean.class).invoke(library, "b", false);
        assertEquals(List.of(List.of(LIBRARY + ".open", "a"), List.of(LIBRARY + ".open", "b")), CALLS);
    }

    @Test
    void handsOverWhatGettersOnThisAndOnAParameterAnswer() throws Exception {
        Class<?> edited = edit(EntryHook.at(LIBRARY, "open").arguments(1)
                .self().then(LIBRARY.replace('.', '/'), "name", "()Ljava/lang/String;")
                .argument(0).then("java/lang/Object", "toString", "()Ljava/lang/String;")
                .then("java/lang/String", "strip", "()Ljava/lang/String;")
                .calls(BRIDGE, "observePair"));
        Object library = edited.getConstructor(String.class).newInstance("lib");
        assertEquals("lib opened  padded ", edited.getMethod("open", Object.class).invoke(library, new StringBuilder(" padded ")));
        assertEquals(List.of(List.of("lib", "padded")), CALLS);
    }

    @Test
    void handsOverWhatACallSiteLinkedInTheHookedClassAnswers() throws Exception {
        Class<?> edited = edit(EntryHook.at(LIBRARY, "open").arguments(1)
                .argument(0).then("java/lang/Object", "toString", "()Ljava/lang/String;").through(BRIDGE, "lengthOf", "I")
                .self().through(BRIDGE, "nameOf", "Ljava/lang/String;")
                .calls(BRIDGE, "observeSites"));
        Object library = edited.getConstructor(String.class).newInstance("lib");
        Method open = edited.getMethod("open", Object.class);
        assertEquals("lib opened abcd", open.invoke(library, "abcd"));
        assertEquals("lib opened abcdef", open.invoke(library, "abcdef"));

        assertEquals(List.of(List.of(4, "lib"), List.of(6, "lib")), CALLS);
        assertEquals(List.of(edited, edited), LINKED_IN, "each site linked once, with the hooked class's lookup");
    }

    @Test
    void aClassFileBeforeJava7HandsOverMinusOneOrNullForACallSite() throws Exception {
        byte[] java6 = bytes(Legacy.class);
        java6[6] = 0;
        java6[7] = 50; // major version 50: Java 6, which has no invokedynamic
        EntryHookEdit.Result result = EntryHookEdit.apply(java6, List.of(EntryHook.at(Legacy.class.getName(), "pass")
                .argument(0).through(BRIDGE, "lengthOf", "I")
                .argument(0).through(BRIDGE, "nameOf", "Ljava/lang/String;")
                .calls(BRIDGE, "observeSites")));
        assertTrue(result.problems().isEmpty(), result.problems().toString());
        Class<?> edited = define(Legacy.class.getName(), result.bytes());

        assertEquals("abcd", edited.getMethod("pass", Object.class).invoke(null, "abcd"));
        assertEquals(List.of(List.of(-1, "null")), CALLS);
        assertEquals(List.of(), LINKED_IN);
        // The same edit on the Java 17 class file links both sites: the -1 above is the old file's.
        Class<?> current = define(Legacy.class.getName(), EntryHookEdit.apply(bytes(Legacy.class),
                List.of(EntryHook.at(Legacy.class.getName(), "pass").argument(0).through(BRIDGE, "lengthOf", "I")
                        .argument(0).then("java/lang/Object", "toString", "()Ljava/lang/String;")
                        .calls(BRIDGE, "observeSites"))).bytes());
        current.getMethod("pass", Object.class).invoke(null, "abcd");
        assertEquals(List.of(4, "abcd"), CALLS.get(1));
    }

    @Test
    void reportsACallSiteOnAConstantOrAPrimitiveOrAnsweringALong() throws IOException {
        EntryHookEdit.Result result = EntryHookEdit.apply(bytes(), List.of(
                EntryHook.at(LIBRARY, "load").constant("x").through(BRIDGE, "lengthOf", "I").calls(BRIDGE, "observe"),
                EntryHook.at(LIBRARY, "open").arguments(2).argument(1).through(BRIDGE, "lengthOf", "I")
                        .calls(BRIDGE, "observe"),
                EntryHook.at(LIBRARY, "name").self().through(BRIDGE, "lengthOf", "J").calls(BRIDGE, "observe")));
        assertNull(result.bytes());
        assertEquals(3, result.problems().size(), result.problems().toString());
        String problems = String.join("\n", result.problems());
        assertTrue(problems.contains("load(Ljava/lang/String;JI)Ljava/lang/String;: a call site needs this or a"
                + " parameter, not CONSTANT"), problems);
        assertTrue(problems.contains("open(Ljava/lang/Object;Z)Ljava/lang/String;: parameter 1 is primitive: call site"
                + " lengthOf takes a reference"), problems);
        assertTrue(problems.contains("name()Ljava/lang/String;: call site lengthOf must return an int or a reference,"
                + " not J"), problems);
    }

    @Test
    void reportsAGetterOnAPrimitiveOrOneThatAnswersAPrimitive() throws IOException {
        EntryHookEdit.Result result = EntryHookEdit.apply(bytes(), List.of(
                EntryHook.at(LIBRARY, "load").argument(1).then("java/lang/Long", "toString", "()Ljava/lang/String;")
                        .calls(BRIDGE, "observe"),
                EntryHook.at(LIBRARY, "open").arguments(1).argument(0).then("java/lang/Object", "hashCode", "()I")
                        .calls(BRIDGE, "observe")));
        assertNull(result.bytes());
        assertTrue(result.problems().get(0).contains("parameter 1 is primitive"), result.problems().toString());
        assertTrue(result.problems().get(1).contains("must take nothing and return a reference"),
                result.problems().toString());
    }

    @Test
    void keepsTheFrameOfALoopAtTheFirstInstruction() throws Exception {
        // Loading runs the verifier on the edited method: a broken frame is a VerifyError here.
        Class<?> edited = edit(EntryHook.at(LIBRARY, "loop").argument(0).throwsReturned(BRIDGE, "checkLoop"));
        assertEquals(5, edited.getMethod("loop", int.class).invoke(null, 5));
        assertEquals(List.of(List.of(5)), CALLS);
    }

    @Test
    void movesEveryOffsetOfTheCodeAfterTheInsertedCall() throws Exception {
        // Loading verifies the edited method: a switch out of alignment, a handler, a frame or an
        // uninitialized object's offset not moved is a VerifyError or a wrong answer here.
        Class<?> edited = edit(EntryHook.at(LIBRARY, "shapes").argument(0).argument(1).calls(BRIDGE, "observeShape"));
        Method shapes = edited.getMethod("shapes", int.class, boolean.class);
        for (int n = -1; n <= 3; n++) {
            for (boolean flag : new boolean[] {true, false}) {
                assertEquals(Library.shapes(n, flag), shapes.invoke(null, n, flag));
            }
        }
        assertEquals(List.of(-1, true), CALLS.get(0));
        assertEquals(10, CALLS.size());
    }

    @Test
    void appendsTheCallsConstantsAfterTheOriginalPool() throws IOException {
        byte[] original = bytes();
        byte[] edited = EntryHookEdit.apply(original, List.of(
                EntryHook.at(LIBRARY, "load").constant("lib").argument(0).hookedClass().throwsReturned(BRIDGE, "check")))
                .bytes();
        int poolCount = (original[8] & 0xFF) << 8 | original[9] & 0xFF;
        int editedCount = (edited[8] & 0xFF) << 8 | edited[9] & 0xFF;
        assertTrue(editedCount > poolCount, "the constants the call names are appended");
        // The original pool is there byte for byte, in its place: every index the class's own code names still holds.
        byte[] head = java.util.Arrays.copyOfRange(original, 10, 10 + 200);
        assertArrayEquals(head, java.util.Arrays.copyOfRange(edited, 10, 10 + 200));
        assertTrue(new String(edited, java.nio.charset.StandardCharsets.ISO_8859_1).contains(BRIDGE.replace('.', '/')));
    }

    @Test
    void aJava6ClassFileWithoutCallSitesTakesTheHookToo() throws Exception {
        byte[] java6 = bytes(Legacy.class);
        java6[6] = 0;
        java6[7] = 50;
        EntryHookEdit.Result result = EntryHookEdit.apply(java6, List.of(EntryHook.at(Legacy.class.getName(), "pass")
                .hookedMethod().argument(0).calls(BRIDGE, "observe")));
        assertTrue(result.problems().isEmpty(), result.problems().toString());
        Class<?> edited = define(Legacy.class.getName(), result.bytes());
        assertEquals("x", edited.getMethod("pass", Object.class).invoke(null, "x"));
        assertEquals(List.of(List.of(Legacy.class.getName() + ".pass", "x")), CALLS);
    }

    @Test
    void reportsAHookWhoseMethodIsMissingOrCannotTakeIt() throws IOException {
        EntryHookEdit.Result result = EntryHookEdit.apply(bytes(), List.of(
                EntryHook.at(LIBRARY, "missing").argument(0).calls(BRIDGE, "observe"),
                EntryHook.at(LIBRARY, "load").self().calls(BRIDGE, "observe"),
                EntryHook.at(LIBRARY, "load").argument(5).calls(BRIDGE, "observe")));
        assertNull(result.bytes());
        assertTrue(result.applied().isEmpty());
        assertEquals(3, result.problems().size(), result.problems().toString());
        assertTrue(result.problems().get(0).contains("static and has no this"), result.problems().toString());
        assertTrue(result.problems().get(1).contains("no parameter 5"), result.problems().toString());
        assertTrue(result.problems().get(2).contains("missing: no such method"), result.problems().toString());
    }

    @Test
    void leavesUnhookedMethodsByteForByte() throws IOException {
        byte[] original = bytes();
        EntryHookEdit.Result result = EntryHookEdit.apply(original, List.of(
                EntryHook.at(LIBRARY, "loop").argument(0).throwsReturned(BRIDGE, "checkLoop")));
        assertTrue(result.bytes().length > original.length);
        assertEquals(1, result.applied().size());
        EntryHookEdit.Result none = EntryHookEdit.apply(original, List.of());
        assertNull(none.bytes());
        assertArrayEquals(original, bytes());
    }

    @Test
    void picksOverloadsByTheTypeOfTheirFirstParameter() throws IOException {
        EntryHook onString = EntryHook.at(LIBRARY, "load").firstParameter("java.lang.String").argument(0)
                .calls(BRIDGE, "observe");
        assertTrue(onString.matches("load", "(Ljava/lang/String;JI)Ljava/lang/String;"));
        assertTrue(EntryHook.at(LIBRARY, "read").firstParameter("byte[]").calls(BRIDGE, "observe")
                .matches("read", "([BZ)V"));
        EntryHookEdit.Result result = EntryHookEdit.apply(bytes(), List.of(onString,
                EntryHook.at(LIBRARY, "load").firstParameter("java.io.File").argument(0).calls(BRIDGE, "observe")));
        assertEquals(1, result.applied().size());
        assertEquals(List.of(LIBRARY + ".load(Ljava/io/File;: no such method"), result.problems());
    }

    /** A model.hooks entry names a method: its overloads without the parameter are not what it means. */
    @Test
    void anOverloadThatCannotTakeTheHookIsNoProblemWhenAnotherTakesIt() throws Exception {
        EntryHook hook = EntryHook.at(LIBRARY, "open").hookedMethod().argument(1).calls(BRIDGE, "observeFlag");
        EntryHookEdit.Result result = EntryHookEdit.apply(bytes(), List.of(hook));
        assertTrue(result.problems().isEmpty(), result.problems().toString());
        Class<?> edited = edit(hook);
        Object library = edited.getConstructor(String.class).newInstance("lib");
        edited.getMethod("open", Object.class).invoke(library, "a");
        edited.getMethod("open", Object.class, boolean.class).invoke(library, "b", true);
        assertEquals(List.of(List.of(LIBRARY + ".open", true)), CALLS);
    }

    /** A subtype that only inherits the method has nothing to edit, and nothing to warn about. */
    @Test
    void aHookOnSubtypesSaysNothingOfAClassThatDoesNotDeclareTheMethod() throws IOException {
        EntryHook hook = EntryHook.inSubtypes("dev.safeload.", "java.lang.Object", "missing").argument(0)
                .calls(BRIDGE, "observe");
        EntryHookEdit.Result result = EntryHookEdit.apply(bytes(), List.of(hook));
        assertNull(result.bytes());
        assertTrue(result.problems().isEmpty(), result.problems().toString());
        assertTrue(hook.mayApplyTo(LIBRARY));
        assertThrows(IllegalArgumentException.class, () -> EntryHook.inSubtypes("dev.safeload", "x.Y", "load"));
    }

    @Test
    void refusesConstructorsUpFront() {
        assertThrows(IllegalArgumentException.class, () -> EntryHook.at(LIBRARY, "<init>"));
    }

    private static byte[] bytes() throws IOException {
        return bytes(Library.class);
    }

    private static byte[] bytes(Class<?> type) throws IOException {
        try (InputStream in = type.getResourceAsStream(type.getName().substring(type.getName().lastIndexOf('.') + 1)
                + ".class")) {
            return in.readAllBytes();
        }
    }

    private static Class<?> define(String name, byte[] bytes) {
        return new ClassLoader(EntryHookEditTest.class.getClassLoader()) {
            Class<?> define() {
                return defineClass(name, bytes, 0, bytes.length);
            }
        }.define();
    }

    /** The library class, edited, defined in a loader whose parent finds the bridges. */
    private static Class<?> edit(EntryHook hook) throws IOException {
        EntryHookEdit.Result result = EntryHookEdit.apply(bytes(), List.of(hook));
        assertTrue(result.problems().isEmpty(), result.problems().toString());
        byte[] edited = result.bytes();
        return new ClassLoader(EntryHookEditTest.class.getClassLoader()) {
            Class<?> define() {
                return defineClass(LIBRARY, edited, 0, edited.length);
            }
        }.define();
    }
}
