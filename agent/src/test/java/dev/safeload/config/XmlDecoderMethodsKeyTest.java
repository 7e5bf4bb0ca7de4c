package dev.safeload.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@code xmldecoder.allowMethods}: exact Class.method entries, and an error naming the entry otherwise. */
class XmlDecoderMethodsKeyTest {

    private static Set<String> methods(String options) throws Exception {
        return PolicyCompiler.compile(Settings.resolve(options, new Properties(), Map.of())).xmlDecoderMethods();
    }

    @Test
    void takesExactClassDotMethodEntriesIncludingNestedClasses() throws Exception {
        assertEquals(Set.of(), methods(""));
        assertEquals(Set.of("com.acme.Order.addLine", "com.acme.Order$Line.setSku"),
                methods("xmldecoder.allowMethods=com.acme.Order.addLine;com.acme.Order$Line.setSku"));
    }

    @Test
    void refusesPatternsAndNamesWithoutAMethodNamingTheEntry() {
        for (String bad : new String[] {"com.acme.*", "com.acme.Order.*", "Order", "com.acme.Order.", ".run", "com..Order.x"}) {
            ConfigException e = assertThrows(ConfigException.class, () -> methods("xmldecoder.allowMethods=" + bad));
            assertEquals("agent option, key xmldecoder.allowMethods: \"" + bad + "\": expected an exact Class.method"
                    + " entry such as com.acme.Order.addLine (no patterns)", e.getMessage(), bad);
        }
    }
}
