package dev.safeload.it.victim;

import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.jsontype.impl.LaissezFaireSubTypeValidator;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.Constructor;

/**
 * A service that reads a YAML or JSON document the way real code does, in a forked JVM, and
 * prints one {@code RESULT} line: {@code RESULT ok <type> <value>} or
 * {@code RESULT refused <exception type>: <message's first line>}, then {@code CAUSE} lines
 * for the exception's causes.
 */
public final class DocumentVictim {

    /**
     * One {@code Yaml} and one {@code ObjectMapper} for the life of the process, as a service
     * keeps them: each caches every class its documents named (SnakeYAML's {@code typeTags},
     * Jackson's per-deserializer {@code _deserializers}).
     */
    private static final Yaml SHARED_YAML = new Yaml();
    private static final ObjectMapper SHARED_MAPPER = new ObjectMapper();
    private static final ObjectMapper SHARED_PLAIN_MAPPER = new ObjectMapper();

    static {
        SHARED_MAPPER.activateDefaultTyping(LaissezFaireSubTypeValidator.instance, ObjectMapper.DefaultTyping.NON_FINAL);
    }

    private DocumentVictim() {
    }

    /** A DTO whose one field is typed by the class name the document gives ({@code @JsonTypeInfo(use = CLASS)}). */
    public static class Envelope {
        @JsonTypeInfo(use = JsonTypeInfo.Id.CLASS)
        public Object payload;
    }

    /** The same with {@code MINIMAL_CLASS}: {@code .Name} is relative to the base type's package, a full name is taken as it is. */
    public static class MinimalEnvelope {
        @JsonTypeInfo(use = JsonTypeInfo.Id.MINIMAL_CLASS)
        public Object payload;
    }

    /**
     * {@code MINIMAL_CLASS} on a field typed by a library class: {@code .BasicDataSource} is
     * relative to that class's package, and Jackson caches the id in that short form.
     */
    public static class DataSourceEnvelope {
        @JsonTypeInfo(use = JsonTypeInfo.Id.MINIMAL_CLASS)
        public org.apache.commons.dbcp.BasicDataSource payload;
    }

    /**
     * A config DTO whose values name classes with no typing switched on: a {@code Class<?>}
     * field, a map keyed by class, a {@code JavaType}. Jackson initialises each class they name.
     */
    public static class ClassValues {
        public Class<?> type;
        public java.util.Map<Class<?>, String> byClass;
        public com.fasterxml.jackson.databind.JavaType javaType;

        @Override
        public String toString() {
            return "ClassValues[type=" + type + ", byClass=" + byClass + ", javaType=" + javaType + "]";
        }
    }

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        String text = Files.readString(Path.of(args[1]));
        Object result;
        try {
            result = read(mode, text);
        } catch (Exception e) {
            System.out.println("RESULT refused " + e.getClass().getName() + ": " + firstLine(e.getMessage()));
            for (Throwable c = e.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
                System.out.println("CAUSE " + c.getClass().getName() + ": " + firstLine(c.getMessage()));
            }
            return;
        }
        System.out.println("RESULT ok " + (result == null ? "null" : result.getClass().getName()) + " " + result);
    }

    @SuppressWarnings("deprecation")
    static Object read(String mode, String text) throws Exception {
        return switch (mode) {
            case "yaml-load" -> new Yaml().load(text);
            case "yaml-load-shared" -> SHARED_YAML.load(text);
            case "yaml-load-all" -> {
                java.util.List<Object> documents = new java.util.ArrayList<>();
                for (Object document : new Yaml().loadAll(text)) {
                    documents.add(document);
                }
                yield documents.get(documents.size() - 1);
            }
            case "yaml-load-services" -> ((java.util.Map<?, ?>) new Yaml().<java.util.Map<?, ?>>load(text).get("services")).size();
            case "yaml-raised-nesting" -> {
                LoaderOptions options = new LoaderOptions();
                options.setNestingDepthLimit(1000);
                yield new Yaml(options).load(text);
            }
            case "yaml-raised-aliases" -> {
                LoaderOptions options = new LoaderOptions();
                options.setMaxAliasesForCollections(Integer.MAX_VALUE);
                yield new Yaml(options).load(text);
            }
            case "jackson-default-typing-shared" -> SHARED_MAPPER.readValue(text, Object.class);
            case "jackson-minimal-relative-shared" -> SHARED_PLAIN_MAPPER.readValue(text, DataSourceEnvelope.class).payload;
            case "yaml-load-as-config" -> new Yaml().loadAs(text, dev.safeload.it.victim.docs.ServiceConfig.class);
            case "yaml-custom-loader" -> new Yaml(new org.yaml.snakeyaml.constructor.CustomClassLoaderConstructor(
                    DocumentVictim.class.getClassLoader())).load(text);
            case "yaml-trust-all-tags" -> new Yaml(new Constructor(trustingAllTags())).load(text);
            case "jackson-default-typing" -> {
                ObjectMapper mapper = new ObjectMapper();
                mapper.activateDefaultTyping(LaissezFaireSubTypeValidator.instance, ObjectMapper.DefaultTyping.NON_FINAL);
                yield mapper.readValue(text, Object.class);
            }
            case "yaml-datasource-config-then-jackson" -> {
                // A service that binds its own DataSource settings with loadAs at start-up, then reads requests on the same thread.
                new Yaml().loadAs("maxActive: 4\n", org.apache.commons.dbcp.BasicDataSource.class);
                ObjectMapper mapper = new ObjectMapper();
                mapper.activateDefaultTyping(LaissezFaireSubTypeValidator.instance, ObjectMapper.DefaultTyping.NON_FINAL);
                yield mapper.readValue(text, Object.class);
            }
            case "jackson-enable-default-typing" -> new ObjectMapper().enableDefaultTyping().readValue(text, Object.class);
            case "jackson-class-property" -> new ObjectMapper().readValue(text, Envelope.class).payload;
            case "jackson-class-values" -> new ObjectMapper().readValue(text, ClassValues.class);
            case "jackson-minimal-class" -> new ObjectMapper().readValue(text, MinimalEnvelope.class).payload;
            case "jackson-reader" -> {
                ObjectMapper mapper = new ObjectMapper();
                mapper.activateDefaultTyping(LaissezFaireSubTypeValidator.instance, ObjectMapper.DefaultTyping.NON_FINAL);
                yield mapper.readerFor(Object.class).readValue(text);
            }
            default -> throw new IllegalArgumentException("unknown mode " + mode);
        };
    }

    /**
     * SnakeYAML 2.x refuses global tags unless the application's {@code TagInspector} allows
     * them; an application that needs its own tags may allow every one. Made by reflection: this
     * class compiles against SnakeYAML 1.33, which has no tag inspector.
     */
    private static LoaderOptions trustingAllTags() throws ReflectiveOperationException {
        LoaderOptions options = new LoaderOptions();
        Class<?> inspector = Class.forName("org.yaml.snakeyaml.inspector.TagInspector");
        Object allowAll = Proxy.newProxyInstance(DocumentVictim.class.getClassLoader(), new Class<?>[] {inspector},
                (proxy, method, arguments) -> method.getName().equals("isGlobalTagAllowed") ? Boolean.TRUE
                        : method.getName().equals("hashCode") ? 0 : method.getName().equals("equals") ? proxy == arguments[0]
                        : "allow-all");
        LoaderOptions.class.getMethod("setTagInspector", inspector).invoke(options, allowAll);
        return options;
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "null";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
