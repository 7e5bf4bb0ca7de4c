package dev.safeload.model.onnx;

import dev.safeload.model.read.WireFormatException;

/** A model the checker cannot follow (nesting too deep, a name too long): it blocks. */
final class OnnxFormatException extends WireFormatException {

    OnnxFormatException(String message) {
        super(message);
    }
}
