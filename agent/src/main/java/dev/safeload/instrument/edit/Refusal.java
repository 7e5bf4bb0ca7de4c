package dev.safeload.instrument.edit;

/**
 * What an {@link EntryHook}'s inserted code calls with the bridge's answer: the throw happens
 * here, not in the hooked method, so the inserted code has no branch and the method's stack map
 * frames stay as they are. The exception was made by the bridge, so its stack trace is the same.
 */
public final class Refusal {

    private Refusal() {
    }

    /** Throws {@code refusal}, of whatever type, unless it is null. */
    public static void throwIfAny(Throwable refusal) {
        if (refusal != null) {
            throw Refusal.<RuntimeException>sneaky(refusal);
        }
    }

    /** Throws {@code answer} if it is a Throwable, else returns it. */
    public static Object unlessThrowable(Object answer) {
        if (answer instanceof Throwable refusal) {
            throw Refusal.<RuntimeException>sneaky(refusal);
        }
        return answer;
    }

    @SuppressWarnings("unchecked")
    private static <T extends Throwable> T sneaky(Throwable t) throws T {
        throw (T) t;
    }
}
