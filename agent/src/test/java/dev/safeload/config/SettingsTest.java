package dev.safeload.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.safeload.policy.Mode;
import dev.safeload.policy.Policy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsTest {

    @TempDir
    Path dir;

    @Test
    void appliesAgentOptionsOverPropertiesOverEnvironmentOverFile() throws Exception {
        Path file = dir.resolve("p.properties");
        Files.writeString(file, "mode=audit\nserial.maxDepth=10\nserial.maxRefs=11\nserial.maxArray=12\n");
        Properties sys = new Properties();
        sys.setProperty("safeload.serial.maxRefs", "21");
        sys.setProperty("safeload.serial.maxArray", "22");
        Map<String, String> env = Map.of("SAFELOAD_SERIAL_MAXDEPTH", "30", "SAFELOAD_SERIAL_MAXREFS", "31",
                "SAFELOAD_SERIAL_MAXARRAY", "32");
        Settings s = Settings.resolve("policy=" + file + ",serial.maxArray=42", sys, env);
        assertEquals("audit", s.get(ConfigKey.MODE));
        assertEquals("30", s.get(ConfigKey.SERIAL_MAX_DEPTH));
        assertEquals("21", s.get(ConfigKey.SERIAL_MAX_REFS));
        assertEquals("42", s.get(ConfigKey.SERIAL_MAX_ARRAY));
        Policy p = PolicyCompiler.compile(s);
        assertEquals(Mode.AUDIT, p.mode());
        assertEquals(30, p.serial().limits().maxDepth());
    }

    @Test
    void namesFileLineAndKeyOfABadValue() throws Exception {
        Path file = dir.resolve("bad.properties");
        Files.writeString(file, "# c\n\nserial.allow=a.*;\\\n  b.**\nserial.maxBytes=lots\n");
        ConfigException e = assertThrows(ConfigException.class,
                () -> PolicyCompiler.compile(Settings.resolve("policy=" + file, new Properties(), Map.of())));
        assertEquals("policy file " + file + " line 5, key serial.maxBytes: expected a positive size such as"
                + " 1048576, 512KB, 50MB or 1GB, got \"lots\"", e.getMessage());
    }

    @Test
    void readsContinuationLinesAsTheJdkDoes() throws Exception {
        Map<ConfigKey, Setting> s = PolicyFile.parse("serial.allow=a.*;\\\n   b.**\nmode=off\n".getBytes(StandardCharsets.UTF_8), "t");
        assertEquals("a.*;b.**", s.get(ConfigKey.SERIAL_ALLOW).value());
        assertEquals("t line 3", s.get(ConfigKey.MODE).origin());
    }

    @Test
    void refusesDuplicateAndUnknownKeysAndNestedPolicies() {
        assertTrue(assertThrows(ConfigException.class, () -> PolicyFile.parse("mode=audit\nmode=off\n".getBytes(), "t"))
                .getMessage().contains("t line 2, key mode: already set at t line 1"));
        assertTrue(assertThrows(ConfigException.class, () -> PolicyFile.parse("serial.alow=x\n".getBytes(), "t"))
                .getMessage().startsWith("t line 1: unknown key \"serial.alow\""));
        assertTrue(assertThrows(ConfigException.class, () -> PolicyFile.parse("policy=/x\n".getBytes(), "t"))
                .getMessage().contains("cannot name another policy file"));
        assertTrue(assertThrows(ConfigException.class, () -> PolicyFile.parse("runtime.allowLoosening=true\n".getBytes(), "t"))
                .getMessage().contains("t line 1, key runtime.allowLoosening: can be set only at start"));
    }

    @Test
    void warnsOnceAboutStrayEnvironmentVariablesAndStarts() throws Exception {
        Settings s = Settings.resolve(null, new Properties(),
                Map.of("SAFELOAD_DEPLOY_COLOR", "blue", "SAFELOAD_NOPE", "1", "SAFELOAD_MODE", "audit"));
        assertEquals("audit", s.get(ConfigKey.MODE));
        assertEquals(1, s.warnings().size(), s.warnings()::toString);
        String warning = s.warnings().get(0);
        assertTrue(warning.startsWith("ignoring environment variables SAFELOAD_DEPLOY_COLOR, SAFELOAD_NOPE: not a Safeload key;"
                + " known: SAFELOAD_MODE, SAFELOAD_POLICY"), warning);
    }

    @Test
    void staysStrictAboutUnknownKeysInOptionsPropertiesAndFiles() {
        Properties sys = new Properties();
        sys.setProperty("safeload.deploy.color", "blue");
        assertTrue(assertThrows(ConfigException.class, () -> Settings.resolve(null, sys, Map.of()))
                .getMessage().contains("-Dsafeload.deploy.color: unknown key"));
        assertTrue(assertThrows(ConfigException.class, () -> Settings.resolve("deploy.color=blue", new Properties(), Map.of()))
                .getMessage().contains("unknown key \"deploy.color\""));
    }

    @Test
    void acceptsEveryEnumeratedValueInAnyCaseAndRefusesOthers() throws Exception {
        Policy p = PolicyCompiler.compile(Settings.resolve("mode=AUDIT,jmx=False,onConfigError=Fail,"
                + "model.allowNativeLibraries=TRUE,runtime.allowLoosening=False,serial.presets=Weka", new Properties(), Map.of()));
        assertEquals(Mode.AUDIT, p.mode());
        assertTrue(p.allowNativeLibraries());
        for (String bad : new String[] {"jmx=yes", "onConfigError=default", "model.allowNativeLibraries=1",
                "runtime.allowLoosening=on", "mode=audits"}) {
            ConfigException e = assertThrows(ConfigException.class,
                    () -> PolicyCompiler.compile(Settings.resolve(bad, new Properties(), Map.of())), bad);
            assertTrue(e.getMessage().startsWith("agent option, key " + bad.substring(0, bad.indexOf('=')) + ": expected"),
                    e.getMessage());
        }
    }

    @Test
    void warnsAboutAnEmptyPolicyFileAndNamesTheSourceOfEachNonDefaultValue() throws Exception {
        Path empty = dir.resolve("empty.properties");
        Files.writeString(empty, "# nothing yet\n\n");
        Settings s = Settings.resolve("policy=" + empty, new Properties(), Map.of());
        assertEquals(java.util.List.of("policy file " + empty + " sets no key; the built-in defaults apply"), s.warnings());

        Path file = dir.resolve("p.properties");
        Files.writeString(file, "mode=enforce\nserial.maxDepth=64\nserial.maxRefs=500\n");
        Properties sys = new Properties();
        sys.setProperty("safeload.serial.maxDepth", "20");
        s = Settings.resolve("policy=" + file + ",mode=audit", sys, Map.of());
        assertEquals("mode=audit (agent option), policy=" + file + " (agent option), serial.maxDepth=20 (system property"
                + " -Dsafeload.serial.maxDepth), serial.maxRefs=500 (policy file " + file + " line 3)", s.effectiveSources());
        assertEquals(java.util.List.of(
                "mode=enforce (policy file " + file + " line 1) is overridden by agent option (mode=audit)",
                "serial.maxDepth=64 (policy file " + file + " line 2) is overridden by system property"
                        + " -Dsafeload.serial.maxDepth (serial.maxDepth=20)"), s.overridden());
        assertEquals("all defaults", Settings.resolve(null, new Properties(), Map.of()).effectiveSources());
    }

    @Test
    void mergesASecondAttachsOptionsKeyByKey() throws Exception {
        assertEquals("mode=enforce,log=/v.jsonl,serial.maxDepth=8",
                Settings.mergeAgentOptions("mode=audit,log=/v.jsonl", "serial.maxDepth=8,mode=enforce"));
        assertEquals("mode=audit", Settings.mergeAgentOptions("mode=audit", null));
    }

    @Test
    void reportsAMissingPolicyFileByName() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> Settings.resolve("policy=" + dir.resolve("missing.properties"), new Properties(), Map.of()));
        assertEquals("policy file " + dir.resolve("missing.properties") + ": no such file", e.getMessage());
    }
}
