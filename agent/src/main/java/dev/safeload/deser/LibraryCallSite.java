package dev.safeload.deser;

import java.util.ArrayList;
import java.util.List;

/**
 * Where in the application a deserializer was entered: the outermost frame of the library on
 * the stack (its public method the application called), the first application frame outside
 * it, and the stack. Only built when there is something to report, never on the allow path.
 *
 * <p>The library is every class under the first three package segments of the entry point's
 * class ({@code org.yaml.snakeyaml.}, {@code com.fasterxml.jackson.}, {@code java.beans.}), so
 * a read entered through {@code ObjectReader} is named as such even when the hook was declared
 * with {@code ObjectMapper.readValue}.
 *
 * @param frame the first application frame outside the library, {@code class.method(File.java:line)},
 *     or {@code unknown}
 * @param entryPoint the outermost library method on the stack, e.g. {@code org.yaml.snakeyaml.Yaml.loadAs},
 *     or the declared entry point when no library frame is on the stack
 * @param libraryFrame the innermost application frame inside the library call (an application
 *     deserializer or setter the library called back), or null
 * @param stack the stack, innermost first, at most {@value #MAX_FRAMES} frames
 */
record LibraryCallSite(String frame, String entryPoint, String libraryFrame, List<String> stack) {

    static final int MAX_FRAMES = 48;

    private static final String[] INFRASTRUCTURE = {
        "java.", "javax.", "jdk.", "sun.", "com.sun.",
        "dev.safeload.agent.", "dev.safeload.serial.", "dev.safeload.report.", "dev.safeload.policy.",
        "dev.safeload.bootstrap.", "dev.safeload.instrument.", "dev.safeload.shaded.",
    };

    /** This package's own frames; by name, since the package also holds tests' frames in unit tests. */
    private static final java.util.Set<String> GATE_CLASSES = java.util.Set.of(
            "dev.safeload.deser.DeserializerGate", "dev.safeload.deser.LibraryCallSite");

    /** The call site of the current thread for a library whose public method is {@code declaredEntry}. */
    static LibraryCallSite capture(String declaredEntry) {
        String root = libraryRoot(declaredEntry);
        return StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE).walk(frames -> {
            List<StackWalker.StackFrame> all = new ArrayList<>();
            int outermost = -1;
            for (StackWalker.StackFrame f : (Iterable<StackWalker.StackFrame>) frames::iterator) {
                if (all.isEmpty() && f.getClassName().startsWith("dev.safeload.") && isInfrastructure(f.getClassName())) {
                    continue;
                }
                if (f.getClassName().startsWith(root)) {
                    outermost = all.size();
                }
                all.add(f);
            }
            String frame = null;
            String inside = null;
            for (int i = 0; i < all.size() && frame == null; i++) {
                String name = all.get(i).getClassName();
                if (isInfrastructure(name) || name.startsWith(root)) {
                    continue;
                }
                if (i < outermost) {
                    if (inside == null) {
                        inside = all.get(i).toStackTraceElement().toString();
                    }
                } else {
                    frame = all.get(i).toStackTraceElement().toString();
                }
            }
            List<String> stack = new ArrayList<>();
            for (int i = 0; i < all.size() && i < MAX_FRAMES; i++) {
                stack.add(all.get(i).toStackTraceElement().toString());
            }
            String entry = outermost >= 0 ? entryPoint(all.get(outermost)) : declaredEntry;
            return new LibraryCallSite(frame != null ? frame : "unknown", entry, inside, stack);
        });
    }

    /**
     * {@code class.method} of a library frame; for a method of an anonymous or local class, the
     * method that declares the class, the public one the application called: the iterator that
     * {@code Yaml.loadAll} returns reads each document in {@code Yaml$1.next}, named
     * {@code org.yaml.snakeyaml.Yaml.loadAll}.
     */
    static String entryPoint(StackWalker.StackFrame frame) {
        Class<?> type = frame.getDeclaringClass();
        try {
            if (type.isAnonymousClass() || type.isLocalClass()) {
                java.lang.reflect.Method enclosing = type.getEnclosingMethod();
                if (enclosing != null) {
                    return enclosing.getDeclaringClass().getName() + "." + enclosing.getName();
                }
            }
        } catch (LinkageError | RuntimeException e) {
            // a class whose enclosing method cannot be resolved: named by its own frame
        }
        return frame.getClassName() + "." + frame.getMethodName();
    }

    /** {@code org.yaml.snakeyaml.} for {@code org.yaml.snakeyaml.Yaml.load}; {@code java.beans.} for {@code java.beans.XMLDecoder.readObject}. */
    static String libraryRoot(String entryPoint) {
        int method = entryPoint.lastIndexOf('.');
        String type = method > 0 ? entryPoint.substring(0, method) : entryPoint;
        int pkg = type.lastIndexOf('.');
        String packageName = pkg > 0 ? type.substring(0, pkg) : type;
        int end = -1;
        for (int segments = 0; segments < 3; segments++) {
            end = packageName.indexOf('.', end + 1);
            if (end < 0) {
                return packageName + ".";
            }
        }
        return packageName.substring(0, end + 1);
    }

    private static boolean isInfrastructure(String className) {
        if (GATE_CLASSES.contains(className)) {
            return true;
        }
        for (String prefix : INFRASTRUCTURE) {
            if (className.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }
}
