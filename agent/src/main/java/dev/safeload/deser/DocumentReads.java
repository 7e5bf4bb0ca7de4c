package dev.safeload.deser;

import dev.safeload.serial.StreamIds;

/**
 * Which top-level read of a document library a refusal or audit belongs to, for
 * {@code safeload.stream}: one SnakeYAML document ({@code constructDocument}), one Jackson
 * {@code readValue} (its {@code DeserializationContext}, which Jackson makes per call). Per
 * thread, since a read runs on one; the id is drawn only when the read's first event is logged,
 * so a read that logs nothing allocates nothing. Libraries that never begin a read here
 * (XStream, XMLDecoder, Kryo, Hessian) get no id.
 */
final class DocumentReads {

    /** The read running on one thread, changed in place. */
    private static final class Read {
        String library;
        String id;
        int key;
        boolean keyed;
        /** A Jackson read's CPU budget ({@link #objectRead}), made at the thread's first typed value. */
        ReferenceBudget budget;
    }

    private static final ThreadLocal<Read> CURRENT = new ThreadLocal<>() {
        @Override
        protected Read initialValue() {
            return new Read();
        }
    };

    private DocumentReads() {
    }

    /** A new read of {@code library} starts on this thread (a SnakeYAML document). */
    static void begin(String library) {
        Read r = CURRENT.get();
        r.library = library;
        r.id = null;
        r.keyed = false;
    }

    /**
     * The read {@code key} of {@code library} is running on this thread: a new read unless it is
     * the one that ran last. The key is the object's identity hash, not the object, so a finished
     * read's context is not kept alive; two reads in a row whose contexts share one hash (about one
     * in 2^25) share an id. Allocation-free.
     */
    static void enter(String library, Object key) {
        enter(CURRENT.get(), library, key);
    }

    private static Read enter(Read r, String library, Object key) {
        int hash = System.identityHashCode(key);
        if (r.keyed && r.key == hash && library.equals(r.library)) {
            return r;
        }
        r.library = library;
        r.id = null;
        r.key = hash;
        r.keyed = true;
        if (r.budget != null) {
            r.budget.reset();
        }
        return r;
    }

    /**
     * One more typed value of the read {@code key} of {@code library} (a Jackson
     * {@code DeserializationContext}): the read's CPU budget ({@link ReferenceBudget#objectRead}),
     * which starts afresh with each read. Null, or the refusal to throw. Allocation-free but for
     * the thread's first.
     */
    static Throwable objectRead(String library, Object key, Object subject, String entryPoint, Class<?> hooked,
                                String exceptionType) {
        Read r = enter(CURRENT.get(), library, key);
        ReferenceBudget budget = r.budget;
        if (budget == null) {
            budget = new ReferenceBudget();
            budget.reset();
            r.budget = budget;
        }
        return budget.objectRead(subject, ReferenceBudget.NANOS_PER_OBJECT, library, entryPoint, hooked,
                exceptionType);
    }

    /** The current read's id if it is one of {@code library}'s, else null. */
    static String id(String library) {
        Read r = CURRENT.get();
        if (library == null || !library.equals(r.library)) {
            return null;
        }
        if (r.id == null) {
            r.id = StreamIds.next();
        }
        return r.id;
    }
}
