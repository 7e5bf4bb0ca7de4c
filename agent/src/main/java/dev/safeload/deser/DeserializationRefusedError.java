package dev.safeload.deser;

/**
 * The refusal thrown into a deserializer that reports exceptions and carries on
 * ({@code java.beans.XMLDecoder} hands every {@code Exception} to its
 * {@code ExceptionListener} and reads the next statement): an {@code Error}, which the decoder
 * catches nowhere, so the document stops at the refused statement and the caller of
 * {@code readObject} gets it. The message starts {@code safeload:}.
 */
public final class DeserializationRefusedError extends Error {

    private static final long serialVersionUID = 1L;

    public DeserializationRefusedError(String message) {
        super(message);
    }
}
