package dev.safeload.deser;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.jsontype.impl.ClassNameIdResolver;
import com.fasterxml.jackson.databind.jsontype.impl.LaissezFaireSubTypeValidator;
import com.fasterxml.jackson.databind.jsontype.impl.MinimalClassNameIdResolver;
import com.fasterxml.jackson.databind.type.TypeFactory;
import dev.safeload.config.PolicyCompiler;
import dev.safeload.config.Settings;
import dev.safeload.policy.Policy;
import dev.safeload.report.LogSettings;
import dev.safeload.report.Reporter;
import dev.safeload.report.ServiceIdentity;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeserializerGateTest {

    private static final String JACKSON = "com.fasterxml.jackson.databind.JsonMappingException";
    private static final String ENTRY = "com.fasterxml.jackson.databind.ObjectMapper.readValue";

    @TempDir
    Path dir;

    private Path log;

    private static Policy policy(String options) throws Exception {
        return PolicyCompiler.compile(Settings.resolve(options, new Properties(), Map.of()));
    }

    private static final String YAML_EXCEPTION = "org.yaml.snakeyaml.constructor.ConstructorException";
    private static final String FOS_TAG = "tag:yaml.org,2002:java.io.FileOutputStream";

    private static Throwable yamlLookup(String className) {
        return DeserializerGate.checkClassName("snakeyaml", "org.yaml.snakeyaml.Yaml.load", className,
                DeserializerGateTest.class, YAML_EXCEPTION);
    }

    private static Throwable yamlCacheHit(String tag) {
        return DeserializerGate.checkCachedTag("snakeyaml", "org.yaml.snakeyaml.Yaml.load", tag,
                DeserializerGateTest.class, YAML_EXCEPTION);
    }

    private static Throwable jacksonCacheHit(Object resolver, String typeId) {
        return DeserializerGate.checkCachedTypeId("jackson", ENTRY, resolver, typeId, ObjectMapper.class, JACKSON);
    }

    private static Object classNameResolver() {
        TypeFactory types = TypeFactory.defaultInstance();
        return new ClassNameIdResolver(types.constructType(Object.class), types, LaissezFaireSubTypeValidator.instance);
    }

    private DeserializerGate install(String options) throws Exception {
        Policy policy = policy(options);
        log = dir.resolve("v.jsonl");
        Reporter reporter = new Reporter(new LogSettings(log.toString(), 1 << 20, 1, 100, ServiceIdentity.NONE),
                new PrintStream(new ByteArrayOutputStream()));
        DeserializerGate gate = new DeserializerGate(policy, reporter);
        DeserializerGate.install(gate);
        return gate;
    }

    @AfterEach
    void uninstall() {
        DeserializerGate.install(null);
    }

    private List<JsonNode> events() throws IOException {
        List<JsonNode> lines = new ArrayList<>();
        if (Files.exists(log)) {
            ObjectMapper json = new ObjectMapper();
            for (String line : Files.readAllLines(log)) {
                lines.add(json.readTree(line));
            }
        }
        return lines;
    }

    private static Throwable check(String className) {
        return DeserializerGate.checkClassName("jackson", ENTRY, className, ObjectMapper.class, JACKSON);
    }

    @Test
    void allowsTheJdkValueTypesAYamlOrJsonReaderNamesFromTheBuiltInAllowlist() throws Exception {
        install("mode=enforce");
        for (String name : List.of("java.lang.String", "java.lang.Integer", "java.lang.Long", "java.lang.Double",
                "java.lang.Boolean", "java.math.BigDecimal", "java.math.BigInteger", "java.util.ArrayList",
                "java.util.LinkedHashMap", "java.util.HashMap", "java.util.TreeMap", "java.util.HashSet",
                "java.util.LinkedHashSet", "java.util.Date", "java.util.UUID", "java.time.Instant",
                "[Ljava.lang.String;", "[I", "[[B")) {
            assertNull(check(name), name);
        }
        assertTrue(events().isEmpty());
    }

    @Test
    void refusesAClassThePolicyDoesNotNameWithTheLibrarysExceptionNamingClassAndRule() throws Exception {
        install("mode=enforce");

        Throwable refusal = check("java.io.RandomAccessFile");

        assertInstanceOf(JsonMappingException.class, refusal);
        assertEquals("safeload: refused java.io.RandomAccessFile (rule serial.allow: not in the allowlist) in " + ENTRY
                + " at unknown", refusal.getMessage().replaceFirst(" at .*", " at unknown"));
    }

    @Test
    void refusesAGadgetEvenWhenTheOperatorAllowsItsWholePackage() throws Exception {
        install("mode=enforce,serial.allow=javax.script.**");

        Throwable refusal = check("javax.script.ScriptEngineManager");

        assertTrue(refusal.getMessage().startsWith("safeload: refused javax.script.ScriptEngineManager (rule serial.deny:"),
                refusal::getMessage);
        assertNull(check("javax.script.SimpleBindings"), "the rest of the allowed package");
    }

    @Test
    void refusesTheDocumentGadgetsByTheDenylistEvenUnderABroadAllow() throws Exception {
        install("mode=enforce,serial.allow=java.net.*;java.lang.*;org.apache.commons.dbcp.*");

        for (String gadget : List.of("java.net.URLClassLoader", "java.lang.ProcessBuilder",
                "org.apache.commons.dbcp.BasicDataSource")) {
            Throwable refusal = check(gadget);
            assertTrue(refusal.getMessage().startsWith("safeload: refused " + gadget + " (rule serial.deny: !" + gadget + ")"),
                    refusal::getMessage);
        }
    }

    @Test
    void allowsTheApplicationsDtoOnceServialAllowNamesIt() throws Exception {
        install("mode=enforce");
        assertInstanceOf(JsonMappingException.class, check(Dto.class.getName()));

        install("mode=enforce,serial.allow=" + Dto.class.getName());

        assertNull(check(Dto.class.getName()));
        assertNull(DeserializerGate.checkClass("kryo", "com.esotericsoftware.kryo.Kryo.readClassAndObject", Dto.class,
                ObjectMapper.class, JACKSON));
    }

    @Test
    void checksEachClassOfAParameterisedTypeName() throws Exception {
        install("mode=enforce");

        assertNull(DeserializerGate.checkTypeName("jackson", ENTRY, "java.util.HashMap<java.lang.String, java.util.ArrayList<java.lang.Long>>",
                ObjectMapper.class, JACKSON));
        Throwable refusal = DeserializerGate.checkTypeName("jackson", ENTRY,
                "java.util.ArrayList<java.io.FileOutputStream>", ObjectMapper.class, JACKSON);

        assertTrue(refusal.getMessage().startsWith("safeload: refused java.io.FileOutputStream "), refusal::getMessage);
    }

    @Test
    void takesTheClassNameAsTheObjectAnEntryHookHandsOver() throws Exception {
        install("mode=enforce");
        Object name = "java.io.FileOutputStream";

        assertInstanceOf(JsonMappingException.class,
                DeserializerGate.checkClassName("jackson", ENTRY, name, ObjectMapper.class, JACKSON));
        assertNull(DeserializerGate.checkClassName("jackson", ENTRY, (Object) 42, ObjectMapper.class, JACKSON));
    }

    @Test
    void letsTheRootTypeTheApplicationChoseForThisReadThroughAndNothingElse() throws Exception {
        install("mode=enforce");

        DeserializerGate.applicationChoseRoot(Dto.class);
        assertNull(yamlLookup(Dto.class.getName()));
        assertNotNull(yamlLookup("java.io.FileOutputStream"));
        assertInstanceOf(JsonMappingException.class, check(Dto.class.getName()),
                "SnakeYAML's loadAs chose it, not a Jackson read on the same thread");

        DeserializerGate.applicationChoseRoot(Object.class);
        assertNotNull(yamlLookup(Dto.class.getName()), "the next read chose Object");

        DeserializerGate.applicationChoseRoot(Dto.class);
        DeserializerGate.applicationChoseNoRoot();
        assertNotNull(yamlLookup(Dto.class.getName()), "loadAll's documents have no root of the application's");
    }

    @Test
    void allowsAnEnumNoPatternNamesAsObjectInputStreamDoes() throws Exception {
        install("mode=enforce");

        assertNull(check("java.util.concurrent.TimeUnit"));
        assertNull(check("java.util.concurrent.TimeUnit"), "from the cache");
        assertNull(DeserializerGate.checkClass("kryo", "com.esotericsoftware.kryo.Kryo.readClassAndObject",
                java.util.concurrent.TimeUnit.class, ObjectMapper.class, JACKSON));
    }

    @Test
    void refusesAProxyWhoseInterfaceIsNotAllowed() throws Exception {
        install("mode=enforce");
        Object proxy = java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {Callable.class}, (p, m, a) -> null);

        Throwable refusal = DeserializerGate.checkClass("hessian", "com.caucho.hessian.io.Hessian2Input.readObject",
                proxy.getClass(), ObjectMapper.class, JACKSON);

        assertTrue(refusal.getMessage().startsWith("safeload: refused java.util.concurrent.Callable (rule serial.allow:"),
                refusal::getMessage);
    }

    @Test
    void auditModeLogsTheRefusalAndLetsTheClassThrough() throws Exception {
        install("mode=audit");

        assertNull(check("java.io.FileOutputStream"));

        List<JsonNode> events = events();
        assertEquals(1, events.size());
        assertEquals("audit", events.get(0).path("event.action").asText());
        assertEquals("allowed", events.get(0).path("event.type").get(0).asText());
        assertEquals("success", events.get(0).path("event.outcome").asText());
    }

    @Test
    void offModeChecksNothing() throws Exception {
        install("mode=off");

        assertNull(check("java.io.FileOutputStream"));
        assertTrue(events().isEmpty());
    }

    @Test
    void logsTheStreamGuardsEventWithTheLibrarysPublicMethodAndTheApplicationFrame() throws Exception {
        DeserializerGate gate = install("mode=enforce");

        JsonMappingException thrown = assertThrows(JsonMappingException.class,
                () -> new ObjectMapper().readValue("{\"type\":\"java.io.RandomAccessFile\"}", Probe.class));

        assertTrue(thrown.getMessage().startsWith("safeload: refused java.io.RandomAccessFile"), thrown::getMessage);
        JsonNode e = events().get(0);
        assertEquals("alert", e.path("event.kind").asText());
        assertEquals("refuse", e.path("event.action").asText());
        assertEquals("warn", e.path("log.level").asText());
        assertEquals("intrusion_detection", e.path("event.category").get(0).asText());
        assertEquals("denied", e.path("event.type").get(0).asText());
        assertEquals("failure", e.path("event.outcome").asText());
        assertEquals("safeload", e.path("event.module").asText());
        assertEquals("safeload.violations", e.path("event.dataset").asText());
        assertEquals("serial.allow", e.path("rule.name").asText());
        assertEquals(gate.policy().source(), e.path("rule.ruleset").asText());
        assertEquals("enforce", e.path("safeload.mode").asText());
        assertEquals(ENTRY, e.path("safeload.entry_point").asText());
        assertEquals("jackson", e.path("safeload.library").asText());
        assertEquals("java.io.RandomAccessFile", e.path("safeload.class").asText());
        assertEquals("not in the allowlist", e.path("safeload.policy_rule").asText());
        assertEquals(gate.policy().digest(), e.path("safeload.policy_digest").asText());
        assertTrue(e.path("safeload.call_site").asText().startsWith(getClass().getName() + ".lambda$"),
                e::toString);
        assertTrue(e.path("safeload.library_frame").asText().startsWith(ProbeReader.class.getName() + ".deserialize("),
                e::toString);
        assertTrue(e.path("error.stack_trace").asText().contains("ObjectMapper.readValue"), e::toString);
        assertTrue(!e.has("safeload.class_found"), "a name alone: nothing was resolved");
    }

    @Test
    void namesTheClassResolvedWhenTheLibraryHandsAClass() throws Exception {
        install("mode=enforce");

        DeserializerGate.checkClass("kryo", "com.esotericsoftware.kryo.Kryo.readClassAndObject",
                java.io.FileOutputStream.class, ObjectMapper.class, JACKSON);

        JsonNode e = events().get(0);
        assertEquals("com.esotericsoftware.kryo.Kryo.readClassAndObject", e.path("safeload.entry_point").asText(),
                "no Kryo frame on the stack: the declared entry point");
        assertTrue(e.path("safeload.class_found").asBoolean());
        assertTrue(e.path("safeload.call_site").asText().startsWith(getClass().getName() + ".namesTheClass"), e::toString);
    }

    @Test
    void throwsTheLibrarysMarkedExceptionThroughItsFourArgumentConstructorWhenItHasNoStringOne() {
        Throwable t = DeserializerGate.exception(getClass(), MarkedException.class.getName(), "safeload: x");

        assertInstanceOf(MarkedException.class, t);
        assertEquals("safeload: x", t.getMessage());
    }

    @Test
    void fallsBackToSecurityExceptionWhenTheLibraryTypeIsMissing() {
        Throwable t = DeserializerGate.exception(getClass(), "org.example.Missing", "safeload: x");

        assertInstanceOf(SecurityException.class, t);
        assertEquals("safeload: x", t.getMessage());
    }

    @Test
    void theAllowPathAllocatesNothing() throws Exception {
        install("mode=enforce,serial.allow=" + Dto.class.getName());
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().getId();
        for (int i = 0; i < 20_000; i++) {
            check("java.util.LinkedHashMap");
            check(Dto.class.getName());
            DeserializerGate.checkClass("kryo", ENTRY, Dto.class, ObjectMapper.class, JACKSON);
        }
        long before = threads.getThreadAllocatedBytes(thread);
        for (int i = 0; i < 100_000; i++) {
            check("java.util.LinkedHashMap");
            check(Dto.class.getName());
            DeserializerGate.checkClass("kryo", ENTRY, Dto.class, ObjectMapper.class, JACKSON);
        }
        long allocated = threads.getThreadAllocatedBytes(thread) - before;

        // 300,000 checks: a single allocation per check would be megabytes.
        assertTrue(allocated < 64 * 1024, allocated + " bytes allocated");
    }

    @Test
    void judgesATagAuditLetThroughAgainAtACacheHitOnceEnforceIsOn() throws Exception {
        DeserializerGate gate = install("mode=audit");
        // As SnakeYAML calls them: getClassForNode first, on a cache miss getClassForName, then hits.
        assertNull(yamlCacheHit(FOS_TAG));
        assertNull(yamlLookup("java.io.FileOutputStream"));
        assertNull(yamlCacheHit(FOS_TAG));
        assertNull(yamlCacheHit(FOS_TAG));
        assertEquals(1, events().size(), "one audit for the lookup; the cache hits under the same policy log nothing");

        gate.policy(policy("mode=enforce"));
        Throwable refusal = yamlCacheHit(FOS_TAG);

        assertNotNull(refusal);
        assertTrue(refusal.getMessage().startsWith("safeload: refused java.io.FileOutputStream (rule serial.allow:"),
                refusal::getMessage);
        assertEquals("refuse", events().get(1).path("event.action").asText());
    }

    @Test
    void auditModeDoesNotLogAClassAgainAtACacheHitOfAnotherInstance() throws Exception {
        install("mode=audit");
        assertNull(yamlLookup("java.io.FileOutputStream"));
        // A second Yaml's first read of the same tag: its cache hit hook runs before its own lookup.
        assertNull(yamlCacheHit(FOS_TAG));
        assertNull(yamlCacheHit(FOS_TAG));

        assertEquals(1, events().size());
    }

    @Test
    void judgesAScopedClassAtEachCacheHitByThatReadsStack() throws Exception {
        // Allowed only while a JUnit frame is on the stack: the test thread has one, a fresh thread none.
        install("mode=enforce,serial.allow=" + Dto.class.getName() + "@org.junit.**");
        String tag = "tag:yaml.org,2002:" + Dto.class.getName();
        assertNull(yamlCacheHit(tag));
        assertNull(yamlLookup(Dto.class.getName()), "the lookup's stack has the scope");
        assertNull(yamlCacheHit(tag));

        Throwable[] elsewhere = new Throwable[1];
        Thread thread = new Thread(() -> elsewhere[0] = yamlCacheHit(tag));
        thread.start();
        thread.join();

        assertNotNull(elsewhere[0], "a cache hit on a stack outside the scope");
        assertTrue(elsewhere[0].getMessage().startsWith("safeload: refused " + Dto.class.getName()),
                elsewhere[0]::getMessage);
    }

    @Test
    void leavesATagTheGateNeverLetThroughToTheApplicationsRegistration() throws Exception {
        install("mode=enforce");
        assertNotNull(yamlLookup("java.io.FileOutputStream"), "refused at the lookup, so no cache holds it");

        // new Constructor(Config.class) registers the tag itself: SnakeYAML never asks the lookup for it.
        assertNull(yamlCacheHit("tag:yaml.org,2002:com.acme.Config"));
        assertNull(yamlCacheHit("!config"));
        assertNull(yamlCacheHit("tag:yaml.org,2002:str"));
        assertEquals(1, events().size());
    }

    @Test
    void judgesOnlyClassNameTypeIdsAtAJacksonCacheHit() throws Exception {
        DeserializerGate gate = install("mode=audit");
        assertNull(DeserializerGate.checkTypeName("jackson", ENTRY, "java.util.ArrayList<java.io.FileOutputStream>",
                ObjectMapper.class, JACKSON));
        gate.policy(policy("mode=enforce"));

        Throwable refusal = jacksonCacheHit(classNameResolver(), "java.util.ArrayList<java.io.FileOutputStream>");
        assertInstanceOf(JsonMappingException.class, refusal);
        assertTrue(refusal.getMessage().startsWith("safeload: refused java.io.FileOutputStream"), refusal::getMessage);
        // MINIMAL_CLASS caches ".Name" as it is: expanded against the resolver's base package.
        Object minimal = MinimalClassNameIdResolver.construct(TypeFactory.defaultInstance().constructType(
                java.io.File.class), new ObjectMapper().getDeserializationConfig(), LaissezFaireSubTypeValidator.instance);
        Throwable relative = jacksonCacheHit(minimal, ".FileOutputStream");
        assertNotNull(relative);
        assertTrue(relative.getMessage().startsWith("safeload: refused java.io.FileOutputStream"), relative::getMessage);
        // The same string as a logical name (@JsonTypeName under Id.NAME) is not a class name.
        assertNull(jacksonCacheHit(new Object(), "java.util.ArrayList<java.io.FileOutputStream>"));
    }

    @Test
    void aCacheHitIsOneFieldReadUntilSomethingCouldChangeItsVerdict() throws Exception {
        DeserializerGate gate = install("mode=enforce,serial.allow=" + Dto.class.getName());
        Policy first = gate.policy();
        assertTrue(gate.cacheHitsPass(first), "nothing let through yet");
        assertNull(yamlLookup(Dto.class.getName()));
        assertNull(check("java.util.concurrent.TimeUnit"), "an unlisted enum: allowed by any policy's enum rule too");
        assertNotNull(check("java.io.FileOutputStream"), "refused, so no cache holds it");
        assertTrue(gate.cacheHitsPass(first), "every name let through passed outright under the policy in force");

        gate.policy(policy("mode=enforce,serial.allow=" + Dto.class.getName()));
        assertFalse(gate.cacheHitsPass(gate.policy()), "a new policy: the names let through are judged again");
        assertFalse(gate.cacheHitsPass(first));

        DeserializerGate audit = install("mode=audit");
        assertNull(yamlLookup("java.io.FileOutputStream"));
        assertFalse(audit.cacheHitsPass(audit.policy()), "an audited name");

        DeserializerGate scoped = install("mode=enforce,serial.allow=" + Dto.class.getName() + "@org.junit.**");
        assertNull(yamlLookup(Dto.class.getName()));
        assertFalse(scoped.cacheHitsPass(scoped.policy()), "a name a scoped rule let through for this stack");

        DeserializerGate root = install("mode=enforce");
        DeserializerGate.applicationChoseRoot(Dto.class);
        assertNull(yamlLookup(Dto.class.getName()));
        DeserializerGate.applicationChoseNoRoot();
        assertFalse(root.cacheHitsPass(root.policy()), "the application's root, let through for one read");
    }

    @Test
    void theCacheHitPathAllocatesNothing() throws Exception {
        DeserializerGate gate = install("mode=enforce,serial.allow=" + Dto.class.getName());
        String tag = "tag:yaml.org,2002:" + Dto.class.getName();
        assertNull(yamlLookup(Dto.class.getName()));
        // The exact path: after a policy change each hit is looked up among those that passed under the new one.
        gate.policy(policy("mode=enforce,serial.allow=" + Dto.class.getName()));
        assertFalse(gate.cacheHitsPass(gate.policy()));
        Object resolver = classNameResolver();
        Object minimal = MinimalClassNameIdResolver.construct(TypeFactory.defaultInstance().constructType(
                Dto.class), new ObjectMapper().getDeserializationConfig(), LaissezFaireSubTypeValidator.instance);
        String relative = Dto.class.getName().substring(Dto.class.getPackageName().length()); // ".DeserializerGateTest$Dto"
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().getId();
        for (int i = 0; i < 20_000; i++) {
            assertNull(yamlCacheHit(tag));
            assertNull(jacksonCacheHit(resolver, Dto.class.getName()));
            assertNull(jacksonCacheHit(minimal, relative));
        }
        long before = threads.getThreadAllocatedBytes(thread);
        for (int i = 0; i < 100_000; i++) {
            yamlCacheHit(tag);
            jacksonCacheHit(resolver, Dto.class.getName());
            jacksonCacheHit(minimal, relative);
        }
        long allocated = threads.getThreadAllocatedBytes(thread) - before;

        assertTrue(allocated < 64 * 1024, allocated + " bytes allocated over 300,000 cache hits");
    }

    public static class Dto {
        public String name;
    }

    /** A field whose reader asks the gate from inside {@code ObjectMapper.readValue}, as a hook would. */
    public static class Probe {
        @JsonDeserialize(using = ProbeReader.class)
        public Object type;
    }

    public static class ProbeReader extends JsonDeserializer<Object> {
        @Override
        public Object deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            Throwable refusal = DeserializerGate.checkClassName("jackson", ENTRY, p.getValueAsString(),
                    ObjectMapper.class, JACKSON);
            if (refusal instanceof IOException io) {
                throw io;
            }
            return null;
        }
    }

    public static class MarkedException extends RuntimeException {
        protected MarkedException(String context, Object contextMark, String problem, Object problemMark) {
            super(problem);
        }
    }
}
