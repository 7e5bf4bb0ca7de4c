package dev.safeload.deser;

/**
 * The class names a library's name hook has just logged in audit mode, on this thread. Kryo and
 * Hessian check a class twice (its name where the stream names it, the class where it is
 * built), and audit mode lets the read go on to the second check: without this the same would-be
 * refusal would be logged twice. Used only on the audit path, never where a class is allowed.
 */
final class AuditedNames {

    private static final int SIZE = 16;

    private static final ThreadLocal<String[]> RECENT = ThreadLocal.withInitial(() -> new String[SIZE]);

    private AuditedNames() {
    }

    static void add(String name) {
        String[] recent = RECENT.get();
        System.arraycopy(recent, 0, recent, 1, SIZE - 1);
        recent[0] = name;
    }

    static boolean contains(String name) {
        for (String seen : RECENT.get()) {
            if (name.equals(seen)) {
                return true;
            }
        }
        return false;
    }

    /**
     * {@link DeserializerGate#checkClassName}, remembering a name audit mode logged and let
     * through.
     */
    static Throwable checkClassName(String library, String entryPoint, String className, Class<?> hooked,
                                    String exceptionType) {
        Throwable refused = DeserializerGate.checkClassName(library, entryPoint, className, hooked, exceptionType);
        DeserializerGate gate = DeserializerGate.installed();
        if (refused == null && gate != null && gate.policy().mode() == dev.safeload.policy.Mode.AUDIT
                && gate.policy().serial().decideName(className).rejected()) {
            add(className);
        }
        return refused;
    }
}
