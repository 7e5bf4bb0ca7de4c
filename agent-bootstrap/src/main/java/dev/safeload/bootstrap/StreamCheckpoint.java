package dev.safeload.bootstrap;

import java.io.InvalidClassException;
import java.io.ObjectInputStream;

/**
 * The per-stream side of the agent that JDK advice reports to: the agent's stream filter
 * implements it, so advice finds it through {@link ObjectInputStream#getObjectInputFilter()}.
 */
public interface StreamCheckpoint {

    /**
     * A class descriptor was read from the stream, before {@code resolveClass} runs.
     *
     * @param stream the stream, possibly a subclass that overrides {@code resolveClass}
     * @param className the name as written in the stream
     * @param enumFlag whether the descriptor claims to describe an enum
     * @throws InvalidClassException when the name alone is enough to refuse it
     */
    void onClassDescriptor(ObjectInputStream stream, String className, boolean enumFlag)
            throws InvalidClassException;

    /** A read of one object on this stream started. */
    void enterRead();

    /** The read that {@link #enterRead()} announced returned or threw. */
    void exitRead();
}
