package dev.safeload.model.gguf;

import java.io.IOException;

/** A GGUF header that llama.cpp would refuse; it ends the check with one blocking finding. */
final class GgufFormatException extends IOException {

    final String rule;
    final long offset;

    GgufFormatException(String rule, long offset, String message) {
        super(message);
        this.rule = rule;
        this.offset = offset;
    }
}
