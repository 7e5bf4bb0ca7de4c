package dev.safeload.model.read;

import java.io.IOException;

/** Bytes that are no well-formed protobuf message, as {@link WireReader} reads them: the model blocks. */
public class WireFormatException extends IOException {

    public WireFormatException(String message) {
        super(message);
    }
}
