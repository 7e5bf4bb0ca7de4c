package dev.safeload.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Where in the application a check happened: the public JDK method the application called,
 * the first stack frame outside the JDK and the agent that called it, and the stack itself.
 * Only built when there is something to report, never on the allow path.
 *
 * <p>A read nested inside a gadget's own {@code readObject} runs through private JDK methods
 * ({@code readObject0}) and library frames; the outermost public entry on the stack is what
 * the application called, and the frame outside it is the application's.
 *
 * @param frame the first application frame outside the outermost entry point,
 *     {@code class.method(File.java:line)}, or {@code unknown}
 * @param callerClass the class of that frame, or empty
 * @param entryPoint the outermost public read method of {@code entryClass} on the stack, e.g.
 *     {@code java.io.ObjectInputStream.readObject}
 * @param libraryFrame the innermost non-JDK frame inside that entry point (a class's own
 *     {@code readObject} reading a nested object), or null when the read is not nested
 * @param stack the stack, innermost first, at most {@value #MAX_FRAMES} frames
 */
public record CallSite(String frame, String callerClass, String entryPoint, String libraryFrame, List<String> stack) {

    static final int MAX_FRAMES = 48;

    private static final String[] INFRASTRUCTURE = {
        "java.", "javax.", "jdk.", "sun.", "com.sun.",
        "dev.safeload.agent.", "dev.safeload.serial.", "dev.safeload.report.", "dev.safeload.policy.",
        "dev.safeload.bootstrap.", "dev.safeload.instrument.", "dev.safeload.shaded.",
    };

    /** The public methods through which an application enters a stream; readObject0 and the like are private. */
    private static final Set<String> PUBLIC_ENTRIES = Set.of("readObject", "readUnshared", "defaultReadObject",
            "readFields");

    /** The call site of the current thread; {@code entryClass} names the JDK API entered. */
    public static CallSite capture(String entryClass, String defaultEntryPoint) {
        return StackWalker.getInstance().walk(frames -> {
            List<StackWalker.StackFrame> all = new ArrayList<>();
            int outermostEntry = -1;
            for (StackWalker.StackFrame f : (Iterable<StackWalker.StackFrame>) frames::iterator) {
                if (all.isEmpty() && isAgentFrame(f.getClassName())) {
                    continue;
                }
                if (f.getClassName().equals(entryClass) && PUBLIC_ENTRIES.contains(f.getMethodName())) {
                    outermostEntry = all.size();
                }
                all.add(f);
            }
            String frame = null;
            String caller = "";
            String library = null;
            for (int i = 0; i < all.size() && frame == null; i++) {
                StackWalker.StackFrame f = all.get(i);
                if (isInfrastructure(f.getClassName())) {
                    continue;
                }
                if (i < outermostEntry) {
                    if (library == null) {
                        library = f.toStackTraceElement().toString();
                    }
                } else {
                    frame = f.toStackTraceElement().toString();
                    caller = f.getClassName();
                }
            }
            List<String> stack = new ArrayList<>();
            for (int i = 0; i < all.size() && i < MAX_FRAMES; i++) {
                stack.add(all.get(i).toStackTraceElement().toString());
            }
            String entry = outermostEntry >= 0
                    ? entryClass + "." + all.get(outermostEntry).getMethodName() : defaultEntryPoint;
            return new CallSite(frame != null ? frame : "unknown", caller, entry, library, stack);
        });
    }

    private static boolean isAgentFrame(String className) {
        return className.startsWith("dev.safeload.") && isInfrastructure(className);
    }

    private static boolean isInfrastructure(String className) {
        for (String prefix : INFRASTRUCTURE) {
            if (className.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }
}
