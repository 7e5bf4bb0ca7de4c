package dev.safeload.model.gate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.safeload.config.PolicyCompiler;
import dev.safeload.config.Settings;
import dev.safeload.report.LogSettings;
import dev.safeload.report.Reporter;
import dev.safeload.report.ServiceIdentity;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the gate answers a hook about a file it cannot read. */
class ModelLoadGateTest {

    private static final String ENTRY = "test.Loader.load";

    @TempDir
    Path dir;

    private Path log;

    @BeforeEach
    void install() throws Exception {
        log = dir.resolve("v.jsonl");
        Reporter reporter = new Reporter(new LogSettings(log.toString(), 1 << 20, 1, 100, ServiceIdentity.NONE),
                new PrintStream(new ByteArrayOutputStream()));
        ModelLoadGate.install(new ModelLoadGate(
                PolicyCompiler.compile(Settings.resolve("mode=enforce", new Properties(), Map.of())), reporter));
    }

    @AfterEach
    void uninstall() {
        ModelLoadGate.install(null);
    }

    @Test
    void refusesAMissingFileSayingItIsMissing() throws Exception {
        Path missing = dir.resolve("gone.safetensors");

        Throwable refusal = ModelLoadGate.check("test", ENTRY, missing, ModelLoadGateTest.class, "java.io.IOException");

        assertInstanceOf(IOException.class, refusal);
        assertEquals("safeload: refused model " + missing + " (unknown) by rule model.unverifiable: "
                + "cannot verify the artifact: no such file", refusal.getMessage());
        assertTrue(Files.readString(log).contains("\"rule.name\":\"model.unverifiable\""), Files.readString(log));
    }

    @Test
    void allowsTheSameFileOnceItIsThere() throws Exception {
        Path file = dir.resolve("gone.safetensors");
        byte[] header = "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}".getBytes(StandardCharsets.UTF_8);
        Files.write(file, ByteBuffer.allocate(8 + header.length + 4).order(ByteOrder.LITTLE_ENDIAN)
                .putLong(header.length).put(header).array());

        assertNull(ModelLoadGate.check("test", ENTRY, file, ModelLoadGateTest.class, "java.io.IOException"));
    }
}
