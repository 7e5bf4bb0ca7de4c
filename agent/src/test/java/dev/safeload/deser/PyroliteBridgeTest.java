package dev.safeload.deser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.safeload.config.PolicyCompiler;
import dev.safeload.config.Settings;
import dev.safeload.report.LogSettings;
import dev.safeload.report.Reporter;
import dev.safeload.report.ServiceIdentity;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PyroliteBridgeTest {

    private static final String ENTRY = "net.razorvine.pickle.Unpickler.loads";
    private static final String PICKLE_EXCEPTION = "net.razorvine.pickle.PickleException";

    @TempDir
    Path dir;

    private Path log;

    private void install(String options) throws Exception {
        log = dir.resolve("v.jsonl");
        Reporter reporter = new Reporter(new LogSettings(log.toString(), 1 << 20, 1, 100, ServiceIdentity.NONE),
                new PrintStream(new ByteArrayOutputStream()));
        DeserializerGate.install(new DeserializerGate(
                PolicyCompiler.compile(Settings.resolve(options, new Properties(), Map.of())), reporter));
    }

    @AfterEach
    void uninstall() {
        DeserializerGate.install(null);
    }

    private static Throwable check(InputStream in, int length) {
        return PyroliteBridge.checkLength("pyrolite", ENTRY, in, length, PyroliteBridgeTest.class, PICKLE_EXCEPTION);
    }

    private List<JsonNode> events() throws Exception {
        ObjectMapper json = new ObjectMapper();
        return Files.exists(log) ? Files.readAllLines(log).stream().map(l -> {
            try {
                return json.readTree(l);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }).filter(e -> "alert".equals(e.path("event.kind").asText())).toList() : List.of();
    }

    @Test
    void refusesALengthTheInMemoryPickleCannotBack() throws Exception {
        install("mode=enforce");
        Throwable refused = check(new ByteArrayInputStream(new byte[2]), Integer.MAX_VALUE);
        assertTrue(refused.getMessage().startsWith("safeload: refused [B (rule serial.maxAlloc: length 2147483647 > 2"
                + " bytes left in the pickle)"), refused::getMessage);
        JsonNode event = events().get(0);
        assertEquals("serial.maxAlloc", event.path("rule.name").asText());
        assertEquals(2147483647L, event.path("safeload.array_length").asLong());
        assertEquals("pyrolite", event.path("safeload.library").asText());
    }

    @Test
    void passesALengthTheDataBacksAndEveryShortOne() throws Exception {
        install("mode=enforce");
        assertNull(check(new ByteArrayInputStream(new byte[200_000]), 200_000));
        assertNull(check(new ByteArrayInputStream(new byte[0]), 65_535)); // below the checked size: one comparison
        assertNull(check(InputStream.nullInputStream(), 5_000_000)); // a socket may not have it yet
        assertEquals(List.of(), events());
    }

    @Test
    void refusesALengthOverMaxArrayOnAStreamWhoseSizeIsUnknown() throws Exception {
        install("mode=enforce,serial.maxArray=1000000");
        Throwable refused = check(InputStream.nullInputStream(), 1_000_001);
        assertTrue(refused.getMessage().contains("rule serial.maxArray: length 1000001 > 1000000"), refused::getMessage);
        assertNull(check(InputStream.nullInputStream(), 1_000_000));
    }

    @Test
    void logsButPassesInAuditMode() throws Exception {
        install("mode=audit");
        assertNull(check(new ByteArrayInputStream(new byte[2]), Integer.MAX_VALUE));
        assertEquals("audit", events().get(0).path("event.action").asText());
    }

    @Test
    void checksNothingInOffMode() throws Exception {
        install("mode=off");
        assertNull(check(new ByteArrayInputStream(new byte[2]), Integer.MAX_VALUE));
        assertEquals(List.of(), events());
    }
}
