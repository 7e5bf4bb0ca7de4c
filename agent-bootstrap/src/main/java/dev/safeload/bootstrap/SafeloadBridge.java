package dev.safeload.bootstrap;

import java.io.InvalidClassException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.util.function.BinaryOperator;

/**
 * Static entry points for advice inlined into JDK classes. It lives on the boot class path
 * because code in {@code java.io} can only see classes there, and it uses JDK types only.
 */
public final class SafeloadBridge {

    private static volatile SerialHooks serialHooks;

    private SafeloadBridge() {
    }

    /** Called once by the agent when it starts. */
    public static void install(SerialHooks hooks) {
        serialHooks = hooks;
    }

    /** From the exit of {@code ObjectStreamClass.readNonProxy}. */
    public static void onClassDescriptor(ObjectInputStream stream, String className, boolean enumFlag)
            throws InvalidClassException {
        if (stream != null && stream.getObjectInputFilter() instanceof StreamCheckpoint checkpoint) {
            checkpoint.onClassDescriptor(stream, className, enumFlag);
        }
    }

    /** From the entry of {@code ObjectInputStream.readObject0}. */
    public static void enterRead(ObjectInputFilter filter) {
        if (filter instanceof StreamCheckpoint checkpoint) {
            checkpoint.enterRead();
        }
    }

    /** From the exit of {@code ObjectInputStream.readObject0}, normal or exceptional. */
    public static void exitRead(ObjectInputFilter filter) {
        if (filter instanceof StreamCheckpoint checkpoint) {
            checkpoint.exitRead();
        }
    }

    /**
     * From the entry of {@code ObjectInputFilter.Config.setSerialFilterFactory}.
     *
     * @return true to skip the JDK's method because the agent adopted the factory
     */
    public static boolean onSetSerialFilterFactory(BinaryOperator<ObjectInputFilter> factory) {
        SerialHooks hooks = serialHooks;
        return hooks != null && factory != null && hooks.adoptHostFilterFactory(factory);
    }
}
