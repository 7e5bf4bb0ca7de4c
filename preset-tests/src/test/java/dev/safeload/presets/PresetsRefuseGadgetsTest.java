package dev.safeload.presets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.safeload.policy.Presets;
import dev.safeload.policy.SerialLimits;
import dev.safeload.policy.SerialPolicy;
import java.io.InvalidClassException;
import java.io.ObjectInputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.collections.functors.ConstantTransformer;
import org.apache.commons.collections.keyvalue.TiedMapEntry;
import org.apache.commons.collections.map.LazyMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** No preset opens a door that a known gadget chain walks through. */
class PresetsRefuseGadgetsTest {

    /** Chain triggers and links, JDK and library, including ones the ML libraries bring along. */
    private static final List<String> GADGET_CLASSES = List.of(
            "java.net.URL",
            "java.net.InetAddress",
            "java.lang.invoke.SerializedLambda",
            "java.lang.reflect.Proxy",
            "java.beans.EventHandler",
            "javax.management.BadAttributeValueExpException",
            "javax.naming.Reference",
            "javax.script.ScriptEngineManager",
            "java.rmi.server.UnicastRemoteObject",
            "java.rmi.server.RemoteObjectInvocationHandler",
            "sun.reflect.annotation.AnnotationInvocationHandler",
            "com.sun.org.apache.xalan.internal.xsltc.trax.TemplatesImpl",
            "com.sun.rowset.JdbcRowSetImpl",
            // commons-collections 3 and commons-beanutils arrive with tribuo-data (via opencsv).
            "org.apache.commons.collections.functors.InvokerTransformer",
            "org.apache.commons.collections.functors.ChainedTransformer",
            "org.apache.commons.collections.map.LazyMap",
            "org.apache.commons.collections.keyvalue.TiedMapEntry",
            "org.apache.commons.beanutils.BeanComparator");

    static List<String> presets() {
        return Presets.NAMES;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("presets")
    void allowsNoKnownGadgetClass(String preset) {
        SerialPolicy policy = new SerialPolicy(Presets.defaultAllow().plus(Presets.preset(preset)),
                Presets.gadgetDeny(), SerialLimits.DEFAULTS);
        List<String> allowed = new ArrayList<>();
        for (String name : GADGET_CLASSES) {
            if (policy.decideName(name).allowed()) {
                allowed.add(name);
            }
        }
        assertEquals(List.of(), allowed);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("presets")
    void namesJdkClassesOneByOne(String preset) {
        for (String pattern : Presets.preset(preset).patterns()) {
            boolean jdk = pattern.startsWith("java.") || pattern.startsWith("javax.")
                    || pattern.startsWith("jdk.") || pattern.startsWith("sun.") || pattern.startsWith("com.sun.");
            assertFalse(jdk && pattern.contains("*"), preset + ": JDK pattern " + pattern
                    + " must name one class, so each JDK class a model needs is reviewed");
        }
    }

    @Test
    void refusesCommonsCollectionsChainOnTribuoClassPath() throws Exception {
        // The shape of CommonsCollections6 with a harmless transformer: HashMap -> TiedMapEntry
        // -> LazyMap. Tribuo's own dependencies put these classes on the class path.
        Map<Object, Object> lazy = LazyMap.decorate(new HashMap<>(), new ConstantTransformer("x"));
        HashMap<Object, Object> payload = new HashMap<>();
        payload.put(new TiedMapEntry(lazy, "key"), "value");
        byte[] bytes = TrainedModel.writeObject(payload);
        TrainedModel chain = new TrainedModel("chain", bytes, List.of(), ObjectInputStream::new,
                ObjectInputStream::readObject, model -> List.of());

        RecordingPolicyFilter filter = RecordingPolicyFilter.forPreset("tribuo");
        assertThrows(InvalidClassException.class, () -> chain.readThrough(filter));
        assertTrue(filter.rejectedClasses().contains("org.apache.commons.collections.keyvalue.TiedMapEntry"),
                filter.rejectedClasses().toString());
    }
}
