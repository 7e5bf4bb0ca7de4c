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

    /** {library, id or null, the key of the read as an Integer or null}, reused in place. */
    private static final ThreadLocal<Object[]> CURRENT = new ThreadLocal<>() {
        @Override
        protected Object[] initialValue() {
            return new Object[3];
        }
    };

    private DocumentReads() {
    }

    /** A new read of {@code library} starts on this thread (a SnakeYAML document). */
    static void begin(String library) {
        Object[] c = CURRENT.get();
        c[0] = library;
        c[1] = null;
        c[2] = null;
    }

    /**
     * The read {@code key} of {@code library} is running on this thread: a new read unless it is
     * the one that ran last. The key is the object's identity hash, not the object, so a finished
     * read's context is not kept alive; two reads in a row whose contexts share one hash (about one
     * in 2^25) share an id.
     */
    static void enter(String library, Object key) {
        Object[] c = CURRENT.get();
        int hash = System.identityHashCode(key);
        if (library.equals(c[0]) && c[2] instanceof Integer last && last == hash) {
            return;
        }
        c[0] = library;
        c[1] = null;
        c[2] = hash; // boxed once per read, not per value
    }

    /** The current read's id if it is one of {@code library}'s, else null. */
    static String id(String library) {
        Object[] c = CURRENT.get();
        if (library == null || !library.equals(c[0])) {
            return null;
        }
        if (c[1] == null) {
            c[1] = StreamIds.next();
        }
        return (String) c[1];
    }
}
