package dev.safeload.presets;

import dev.safeload.config.PolicyCompiler;
import dev.safeload.config.Settings;
import dev.safeload.model.ModelScanner;
import dev.safeload.model.ScanResult;
import dev.safeload.policy.SerialLimits;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/** The agent's model gate (the checks {@code scan} runs), under the policy the agent options give. */
final class ModelGate {

    private ModelGate() {
    }

    /** Scans {@code bytes} as a model file, as the agent does with {@code agentOptions}. */
    static ScanResult scan(byte[] bytes, String agentOptions) throws Exception {
        Path file = Files.createTempFile("safeload-gate-", ".model");
        try {
            Files.write(file, bytes);
            ModelScanner scanner = new ModelScanner(PolicyCompiler.compile(
                    Settings.resolve(agentOptions, new Properties(), Map.of())).model());
            List<ScanResult> results = scanner.scan(file);
            return results.get(0);
        } finally {
            Files.delete(file);
        }
    }

    /** The agent options of a preset with the limits a model needs. */
    static String options(String preset, SerialLimits limits) {
        return "serial.presets=" + preset + ",serial.maxDepth=" + limits.maxDepth() + ",serial.maxRefs="
                + limits.maxRefs() + ",serial.maxBytes=" + limits.maxBytes() + ",serial.maxArray=" + limits.maxArray();
    }
}
