package dev.safeload.model.safetensors;

import dev.safeload.model.Finding;
import dev.safeload.model.FormatCheck;
import dev.safeload.model.ModelSource;
import dev.safeload.model.ScanContext;
import java.io.IOException;
import java.util.List;

/**
 * Checks safetensors files: the header must be one the reference implementation accepts, so a
 * loader never sees offsets that overlap, run past the file or disagree with the tensor shape.
 * Safetensors cannot carry code; a malformed header is still refused, because loaders that
 * trust it read out of bounds or hand different tensors to different readers.
 */
public final class SafetensorsCheck implements FormatCheck {

    public SafetensorsCheck() {
    }

    @Override
    public String format() {
        return "safetensors";
    }

    /** An 8-byte little-endian length, then the header's opening brace. */
    @Override
    public boolean sniff(byte[] head, long size) {
        if (head.length < 10 || head[8] != '{') {
            return false;
        }
        // The length is not judged here: a truncated or oversized header is still claimed, so
        // that the check reports it instead of no check looking at the file at all.
        byte next = head[9];
        return next == '"' || next == '}' || next == ' ' || next == '\n' || next == '\r' || next == '\t';
    }

    @Override
    public List<Finding> check(ModelSource source, ScanContext context) throws IOException {
        return SafetensorsHeader.validate(source);
    }
}
