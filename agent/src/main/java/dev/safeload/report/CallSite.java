package dev.safeload.report;

import java.util.ArrayList;
import java.util.List;

/**
 * Where in the application a check happened: the first stack frame outside the JDK and the
 * agent, the JDK entry point the application called, and the stack itself. Only built when
 * there is something to report, never on the allow path.
 *
 * @param frame the first application frame, {@code class.method(File.java:line)}, or
 *     {@code unknown}
 * @param callerClass the class of that frame, or empty
 * @param entryPoint the outermost JDK method of {@code entryClass} on the stack, e.g.
 *     {@code java.io.ObjectInputStream.readObject}
 * @param stack the stack, innermost first, at most {@value #MAX_FRAMES} frames
 */
public record CallSite(String frame, String callerClass, String entryPoint, List<String> stack) {

    static final int MAX_FRAMES = 48;

    private static final String[] INFRASTRUCTURE = {
        "java.", "javax.", "jdk.", "sun.", "com.sun.",
        "dev.safeload.agent.", "dev.safeload.serial.", "dev.safeload.report.", "dev.safeload.policy.",
        "dev.safeload.bootstrap.", "dev.safeload.instrument.", "dev.safeload.shaded.",
    };

    /** The call site of the current thread; {@code entryClass} names the JDK API entered. */
    public static CallSite capture(String entryClass, String defaultEntryPoint) {
        return StackWalker.getInstance().walk(frames -> {
            List<String> stack = new ArrayList<>();
            String frame = null;
            String caller = "";
            String entry = null;
            for (StackWalker.StackFrame f : (Iterable<StackWalker.StackFrame>) frames::iterator) {
                boolean agentFrame = f.getClassName().startsWith("dev.safeload.")
                        && isInfrastructure(f.getClassName());
                if (stack.size() < MAX_FRAMES && !(stack.isEmpty() && agentFrame)) {
                    stack.add(f.toStackTraceElement().toString());
                }
                if (frame == null) {
                    if (f.getClassName().equals(entryClass) && f.getMethodName().startsWith("read")) {
                        entry = f.getClassName() + "." + f.getMethodName();
                    } else if (!isInfrastructure(f.getClassName())) {
                        frame = f.toStackTraceElement().toString();
                        caller = f.getClassName();
                    }
                }
                if (frame != null && stack.size() >= MAX_FRAMES) {
                    break;
                }
            }
            return new CallSite(frame != null ? frame : "unknown", caller,
                    entry != null ? entry : defaultEntryPoint, stack);
        });
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
