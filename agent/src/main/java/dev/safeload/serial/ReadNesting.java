package dev.safeload.serial;

/**
 * How many streams the current thread is in the middle of reading. A stream constructed while
 * this is above zero was opened during deserialization ({@code SignedObject.getObject},
 * {@code MarshalledObject.get}, a gadget's own stream) and is logged as nested.
 */
final class ReadNesting {

    private static final ThreadLocal<int[]> ACTIVE = new ThreadLocal<>() {
        @Override
        protected int[] initialValue() {
            return new int[1];
        }
    };

    private ReadNesting() {
    }

    static void enter() {
        ACTIVE.get()[0]++;
    }

    static void exit() {
        int[] count = ACTIVE.get();
        if (count[0] > 0) {
            count[0]--;
        }
    }

    /** How many reads this thread is inside. */
    static int level() {
        return ACTIVE.get()[0];
    }

    static boolean active() {
        return ACTIVE.get()[0] > 0;
    }
}
