package dev.safeload.model.onnx;

import java.io.IOException;

/** A model the checker cannot follow (nesting too deep, a name too long): it blocks. */
final class OnnxFormatException extends IOException {

    OnnxFormatException(String message) {
        super(message);
    }
}
