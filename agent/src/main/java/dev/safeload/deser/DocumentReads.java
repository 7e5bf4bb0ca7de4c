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
        Read r = CURRENT.get();
        int hash = System.identityHashCode(key);
        if (r.keyed && r.key == hash && library.equals(r.library)) {
            return;
        }
        r.library = library;
        r.id = null;
        r.key = hash;
        r.keyed = true;
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
