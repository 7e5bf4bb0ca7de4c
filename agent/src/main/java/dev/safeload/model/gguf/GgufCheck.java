package dev.safeload.model.gguf;

import dev.safeload.model.Finding;
import dev.safeload.model.FormatCheck;
import dev.safeload.model.ModelSource;
import dev.safeload.model.ScanContext;
import java.io.IOException;
import java.util.List;

/**
 * Checks GGUF files (llama.cpp and its kin): the metadata and tensor table must be well formed
 * and inside the file, and a bundled chat template is reported. GGUF carries no code, but a
 * malformed header is the classic way into the native parser (the 2024 GGUF heap overflows).
 */
public final class GgufCheck implements FormatCheck {

    public GgufCheck() {
    }

    @Override
    public String format() {
        return "gguf";
    }

    @Override
    public boolean sniff(byte[] head, long size) {
        return head.length >= 4 && head[0] == 'G' && head[1] == 'G' && head[2] == 'U' && head[3] == 'F';
    }

    @Override
    public List<Finding> check(ModelSource source, ScanContext context) throws IOException {
        return GgufHeader.check(source);
    }
}
