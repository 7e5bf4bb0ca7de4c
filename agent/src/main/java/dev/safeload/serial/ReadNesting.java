package dev.safeload.serial;

/**
 * How many streams the current thread is in the middle of reading. A stream constructed while
 * this is above zero was opened during deserialization ({@code SignedObject.getObject},
 * {@code MarshalledObject.get}, a gadget's own stream) and is logged as nested.
 *
 * <p>The count and the thread's graph trackers ({@link GraphExpansion#take}) are one per-thread
 * object, so a read's start looks the thread up once and its end not at all (the guard keeps
 * what the start found): three {@code ThreadLocal} lookups fewer per stream than a count and a
 * tracker pool of their own.
 */
final class ReadNesting {

    /** One thread's reads: how many it is inside, and its trackers by nesting level. */
    static final class Reads {
        private int active;
        final GraphExpansion[] trackers = new GraphExpansion[4];

        /** A read starts on this thread: its nesting level, 1 for the outermost. */
        int enter() {
            return ++active;
        }

        void exit() {
            if (active > 0) {
                active--;
            }
        }
    }

    private static final ThreadLocal<Reads> ACTIVE = new ThreadLocal<>() {
        @Override
        protected Reads initialValue() {
            return new Reads();
        }
    };

    private ReadNesting() {
    }

    /** This thread's reads. */
    static Reads current() {
        return ACTIVE.get();
    }

    static boolean active() {
        return ACTIVE.get().active > 0;
    }
}
