package dev.safeload.model.javaserial;

import dev.safeload.model.Finding;
import dev.safeload.model.FormatCheck;
import dev.safeload.model.ModelSource;
import dev.safeload.model.ScanContext;
import java.io.IOException;
import java.util.List;

/**
 * Checks Java-serialized files (Weka, Smile, Tribuo and CoreNLP models, or any
 * {@code ObjectOutputStream} dump) against the same serialization policy the agent enforces at
 * run time, by walking the stream's grammar instead of deserializing it.
 */
public final class JavaSerialCheck implements FormatCheck {

    public JavaSerialCheck() {
    }

    @Override
    public String format() {
        return "java-serialization";
    }

    /** {@code AC ED 00 05}: the stream magic and the only version ever defined. */
    @Override
    public boolean sniff(byte[] head, long size) {
        return head.length >= 4 && (head[0] & 0xFF) == 0xAC && (head[1] & 0xFF) == 0xED && head[2] == 0
                && head[3] == 5;
    }

    @Override
    public List<Finding> check(ModelSource source, ScanContext context) throws IOException {
        return SerialStreamWalker.walk(source, context.policy().serial());
    }
}
