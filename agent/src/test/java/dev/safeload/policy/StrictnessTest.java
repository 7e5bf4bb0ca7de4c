package dev.safeload.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.safeload.config.PolicyCompiler;
import dev.safeload.config.Settings;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class StrictnessTest {

    private static Policy policy(String options) throws Exception {
        return PolicyCompiler.compile(Settings.resolve(options, new Properties(), Map.of()));
    }

    private static List<String> looser(String current, String next) throws Exception {
        return Strictness.loosenings(policy(current), policy(next));
    }

    @Test
    void refusesEveryModeBelowTheOneInForceAndAcceptsAuditToEnforce() throws Exception {
        assertEquals(List.of("mode enforce -> off"), looser("mode=enforce", "mode=off"));
        assertEquals(List.of("mode enforce -> audit"), looser("", "mode=audit"));
        assertEquals(List.of("mode audit -> off"), looser("mode=audit", "mode=off"));
        assertEquals(List.of(), looser("mode=audit", "mode=enforce"));
        assertEquals(List.of(), looser("mode=enforce", "mode=enforce"));
    }

    @Test
    void letsAuditMoveToEnforceWithTheLearnedAllowEntriesButComparesAuditToAuditInFull() throws Exception {
        assertEquals(List.of(), looser("mode=audit", "mode=enforce,serial.allow=com.acme.dto.*,model.sha256=" + "b".repeat(64)));
        assertEquals(List.of("serial.allow adds com.acme.dto.*"), looser("mode=audit", "mode=audit,serial.allow=com.acme.dto.*"),
                "widening in audit would be enforced by a later JMX raise");
        assertEquals(List.of("mode audit -> off", "serial.allow adds com.acme.dto.*"), looser("mode=audit", "mode=off,serial.allow=com.acme.dto.*"));
    }

    @Test
    void refusesAWiderAllowlistAndAcceptsANarrowerOne() throws Exception {
        assertEquals(List.of("serial.allow adds com.acme.**"), looser("serial.allow=com.acme.dto.*", "serial.allow=com.acme.**"));
        assertEquals(List.of("serial.allow adds com.acme.dto.Pre*"), looser("serial.allow=com.acme.dto.*", "serial.allow=com.acme.dto.Pre*"));
        assertEquals(List.of("serial.allow adds org.apache.commons.collections.functors.InvokerTransformer"),
                looser("", "serial.allow=org.apache.commons.collections.functors.InvokerTransformer"));
        assertTrue(looser("", "serial.presets=weka").stream().anyMatch(l -> l.startsWith("serial.allow adds weka.")));
        assertTrue(!looser("", "serial.presets=weka").isEmpty());
        assertEquals(List.of(), looser("serial.allow=com.acme.**", "serial.allow=com.acme.dto.Order;com.acme.x.*;com.acme.y.**;com.acme.Z*"));
        assertEquals(List.of(), looser("serial.allow=com.acme.dto.*", "serial.allow=com.acme.dto.Order"));
        assertEquals(List.of(), looser("serial.allow=com.acme.*", "serial.allow=com.acme.*"));
        assertEquals(List.of("serial.allow adds com.acme.dto.**@com.acme.cache.**"),
                looser("", "serial.allow=com.acme.dto.**@com.acme.cache.**"));
    }

    @Test
    void refusesAShorterDenyListAndHigherLimits() throws Exception {
        assertEquals(List.of("serial.deny drops com.acme.Evil"), looser("serial.deny=com.acme.Evil", ""));
        assertEquals(List.of(), looser("serial.deny=com.acme.Evil", "serial.deny=com.acme.**"));
        assertEquals(List.of("serial.deny drops com.acme.**"), looser("serial.deny=com.acme.**", "serial.deny=com.acme.Evil"));
        assertEquals(List.of("serial.maxDepth 64 -> 65", "serial.maxArray 10000000 -> 20000000"),
                looser("", "serial.maxDepth=65,serial.maxArray=20000000"));
        assertEquals(List.of(), looser("", "serial.maxDepth=10,serial.maxRefs=10,serial.maxBytes=1MB,serial.maxArray=10"));
    }

    @Test
    void refusesMoreClassesBuiltWithoutAConstructor() throws Exception {
        assertEquals(List.of("serial.allowWithoutConstructor adds com.acme.**"),
                looser("serial.allowWithoutConstructor=com.acme.dto.*", "serial.allowWithoutConstructor=com.acme.**"));
        assertEquals(List.of(), looser("serial.allowWithoutConstructor=com.acme.**",
                "serial.allowWithoutConstructor=com.acme.dto.Order"));
    }

    @Test
    void refusesLooserModelSettings() throws Exception {
        String pin = "a".repeat(64);
        assertEquals(List.of("model.trustedDirs adds /models"), looser("", "model.trustedDirs=/models"));
        assertEquals(List.of(), looser("model.trustedDirs=/models", "model.trustedDirs=/models/resnet"));
        assertEquals(List.of("model.sha256 adds " + pin), looser("", "model.sha256=" + pin));
        assertEquals(List.of("model.pickle.allow adds sklearn.**"), looser("", "model.pickle.allow=sklearn.**"));
        assertEquals(List.of("model.pickle.allow drops !sklearn.Evil"), looser("model.pickle.allow=!sklearn.Evil", ""));
        assertEquals(List.of("model.allowFormats adds pickle"), looser("model.allowFormats=safetensors", "model.allowFormats=safetensors;pickle"));
        assertEquals(List.of(), looser("", "model.allowFormats=safetensors"));
        assertEquals(List.of("model.allowNativeLibraries false -> true"), looser("", "model.allowNativeLibraries=true"));
        assertEquals(List.of("model.hooks drops com.acme.Store#load(0)"), looser("model.hooks=com.acme.Store#load(0)", ""));
    }

    @Test
    void refusesAnXmlDecoderMethodAddedAtRunTimeButNotOneDropped() throws Exception {
        assertEquals(List.of("xmldecoder.allowMethods adds com.acme.Order.addLine"),
                looser("", "xmldecoder.allowMethods=com.acme.Order.addLine"));
        assertEquals(List.of(), looser("xmldecoder.allowMethods=com.acme.Order.addLine;com.acme.Order.close",
                "xmldecoder.allowMethods=com.acme.Order.close"));
    }

    @Test
    void aPackagePatternCoversOnlyItsOwnPackage() {
        ClassPatterns pkg = ClassPatterns.of(List.of("a.b.*"));
        assertTrue(Strictness.covers(pkg, "a.b.C"));
        assertTrue(!Strictness.covers(pkg, "a.b.c.D"));
        assertTrue(!Strictness.covers(pkg, "a.b.**"));
        assertTrue(!Strictness.covers(pkg, "a.b.C*"));
        assertTrue(Strictness.covers(ClassPatterns.of(List.of("a.B*")), "a.Bc*"));
        assertTrue(Strictness.covers(ClassPatterns.of(List.of("a.**")), "a.b.c.*"));
    }
}
