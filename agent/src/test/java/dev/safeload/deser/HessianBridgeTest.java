package dev.safeload.deser;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.safeload.config.PolicyCompiler;
import dev.safeload.config.Settings;
import dev.safeload.report.LogSettings;
import dev.safeload.report.Reporter;
import dev.safeload.report.ServiceIdentity;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HessianBridgeTest {

    private static final String ENTRY = "com.caucho.hessian.io.Hessian2Input.readObject";
    private static final String EXCEPTION = "com.caucho.hessian.io.HessianProtocolException";

    /** Not Serializable, with no no-argument constructor: Hessian would build it with Unsafe. */
    public static final class Quote {
        final String symbol;

        public Quote(String symbol) {
            this.symbol = symbol;
        }
    }

    @TempDir
    Path dir;

    private void install(String options) throws Exception {
        Reporter reporter = new Reporter(new LogSettings(dir.resolve("v.jsonl").toString(), 1 << 20, 1, 100,
                ServiceIdentity.NONE), new PrintStream(new ByteArrayOutputStream()));
        DeserializerGate.install(new DeserializerGate(
                PolicyCompiler.compile(Settings.resolve(options, new Properties(), Map.of())), reporter));
    }

    @AfterEach
    void uninstall() {
        DeserializerGate.install(null);
    }

    private static Throwable typeName(String name) {
        return HessianBridge.checkTypeName("hessian", ENTRY, name, null, HessianBridgeTest.class, EXCEPTION);
    }

    @Test
    void passesHessiansOwnTypeNamesWhichNameNoClass() throws Exception {
        install("mode=enforce");
        for (String name : List.of("int", "string", "[int", "[string", "[object", "date", "object", "boolean", "")) {
            assertNull(typeName(name), name);
        }
        assertNull(typeName("java.util.LinkedHashMap"));
        assertNull(typeName("[java.lang.Integer"));
    }

    @Test
    void refusesAnUnlistedClassAlsoAsAnArrayComponent() throws Exception {
        install("mode=enforce");
        Throwable refused = typeName("[[com.sun.syndication.feed.impl.EqualsBean");
        assertTrue(refused.getMessage().startsWith("safeload: refused com.sun.syndication.feed.impl.EqualsBean (rule"
                + " serial.allow"), refused::getMessage);
    }

    @Test
    void buildsAnAllowedClassThatIsNotSerializableOnlyWhenTheKeyNamesIt() throws Exception {
        String quote = Quote.class.getName();
        install("serial.allow=" + quote);
        Throwable refused = HessianBridge.checkDeserializedClass("hessian", ENTRY, Quote.class, HessianBridgeTest.class,
                EXCEPTION);
        assertTrue(refused.getMessage().contains("(rule serial.allowWithoutConstructor:"), refused::getMessage);
        install("serial.allow=" + quote + ",serial.allowWithoutConstructor=" + quote);
        assertNull(HessianBridge.checkDeserializedClass("hessian", ENTRY, Quote.class, HessianBridgeTest.class, EXCEPTION));
    }

    @Test
    void leavesInterfacesAndAbstractTypesToWhatTheStreamNames() throws Exception {
        install("mode=enforce");
        assertNull(HessianBridge.checkDeserializedClass("hessian", ENTRY, Map.class, HessianBridgeTest.class, EXCEPTION));
        assertNull(HessianBridge.checkDeserializedClass("hessian", ENTRY, java.util.AbstractMap.class,
                HessianBridgeTest.class, EXCEPTION));
        assertNull(HessianBridge.checkDeserializedClass("hessian", ENTRY, int[].class, HessianBridgeTest.class, EXCEPTION));
        assertTrue(HessianBridge.checkDeserializedClass("hessian", ENTRY, Quote.class, HessianBridgeTest.class, EXCEPTION)
                .getMessage().contains("rule serial.allow:"));
    }
}
