package dev.safeload.model.javaserial;

import java.io.IOException;

/** The walk cannot go on (malformed, truncated, past a limit, or a layout it cannot know): it blocks. */
final class StreamStop extends IOException {

    final String rule;
    final long offset;

    StreamStop(String rule, long offset, String message) {
        super(message);
        this.rule = rule;
        this.offset = offset;
    }
}
