package dev.safeload.model.dl4j;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import dev.safeload.model.ContentSniff;
import dev.safeload.model.Finding;
import dev.safeload.model.FormatCheck;
import dev.safeload.model.ModelScanner;
import dev.safeload.model.ModelSource;
import dev.safeload.model.ModelSources;
import dev.safeload.model.ScanContext;
import dev.safeload.model.Severity;
import dev.safeload.model.compress.ZipIndex;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Checks DL4J models written by {@code ModelSerializer}: a zip with {@code configuration.json},
 * {@code coefficients.bin} (or {@code noParams.marker}), optionally {@code updaterState.bin},
 * {@code preprocessor.bin}, {@code normalizer.bin} and objects added by {@code addObjectToFile}.
 * {@code restoreMultiLayerNetwork}/{@code restoreComputationGraph} read it with
 * {@code ZipInputStream} (local headers, last entry of a name wins), {@code getObjectFromFile}
 * with {@code ZipFile} (central directory): an archive on which those differ is refused.
 * The configuration's Jackson {@code @class} names must be DL4J's or ND4J's own; Java-serialized
 * entries ({@code preprocessor.bin}, a legacy {@code normalizer.bin}, added objects) must pass
 * the serialization policy; a {@code normalizer.bin} with a custom strategy names a class ND4J
 * instantiates, which must be ND4J's own.
 */
public final class Dl4jCheck implements FormatCheck, ContentSniff {

    static final String CONFIGURATION = "configuration.json";
    /** Arrays read by {@code Nd4j.read} from a {@code DataInputStream}: numbers, no objects. */
    private static final Set<String> ARRAYS = Set.of("coefficients.bin", "updaterState.bin");
    private static final String NO_PARAMS = "noParams.marker";
    private static final String NORMALIZER = "normalizer.bin";
    private static final List<String> OWN_PACKAGES = List.of("org.deeplearning4j.", "org.nd4j.");
    private static final long MAX_CONFIG_BYTES = 64L << 20;
    private static final int MAX_FINDINGS = 32;

    /** Made when a DL4J configuration is first read: every model check makes this class, few read JSON. */
    private static final class Json {
        static final JsonFactory FACTORY = JsonFactory.builder()
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .build();
    }

    @Override
    public String format() {
        return "dl4j";
    }

    @Override
    public boolean sniff(byte[] head, long size) {
        return false;
    }

    /** A zip whose central directory holds configuration.json and coefficients.bin or noParams.marker. */
    @Override
    public boolean sniff(ModelSource source, byte[] head) throws IOException {
        if (!ZipIndex.isZip(source, head)) {
            return false;
        }
        boolean config = false;
        boolean params = false;
        for (ZipIndex.Entry e : ZipIndex.read(source).central()) {
            config |= e.name().equals(CONFIGURATION);
            params |= e.name().equals("coefficients.bin") || e.name().equals(NO_PARAMS);
        }
        return config && params;
    }

    @Override
    public List<Finding> check(ModelSource source, ScanContext context) throws IOException {
        List<Finding> findings = new ArrayList<>();
        ZipIndex index = ZipIndex.read(source);
        // Duplicate names are the shared reader's zip.ambiguous finding (visit reports it).
        Set<String> names = new HashSet<>();
        for (ZipIndex.Entry e : index.central()) {
            names.add(e.name());
        }
        index.visit(source, ModelScanner.budget(context), findings, (entry, content, problem) -> {
            String where = source.name() + "!/" + entry.name();
            if (problem != null) {
                findings.add(new Finding("dl4j.entry", Severity.HIGH, where, problem));
            } else if (!entry.inCentral() || entry.localName() != null) {
                findings.add(new Finding("dl4j.zip.divergent", Severity.HIGH, where, "the local header"
                        + (entry.inCentral() ? " names it '" + entry.localName() + "'" : " is not in the central directory")
                        + ": restoreMultiLayerNetwork (ZipInputStream) and getObjectFromFile (ZipFile) read different models"));
            } else if (entry.name().equals(CONFIGURATION)) {
                configuration(content, where, findings);
            } else if (ARRAYS.contains(entry.name()) || entry.name().equals(NO_PARAMS) || entry.name().endsWith("/")) {
                return; // numbers for Nd4j.read, or an empty marker
            } else if (entry.name().equals(NORMALIZER) && !javaSerial(content)) {
                normalizer(content, where, findings);
            } else {
                // preprocessor.bin, a legacy normalizer.bin, objects added by addObjectToFile: ObjectInputStream.
                findings.addAll(context.scanNested(content));
            }
        });
        if (!names.contains(CONFIGURATION)) {
            findings.add(new Finding("dl4j.structure", Severity.HIGH, source.name(), "no configuration.json"));
        }
        return findings;
    }

    /** The network configuration: Jackson JSON whose {@code @class} values pick the classes it builds. */
    private static void configuration(ModelSource content, String where, List<Finding> findings) throws IOException {
        if (content.size() > MAX_CONFIG_BYTES) {
            findings.add(new Finding("dl4j.config.too-large", Severity.HIGH, where, "configuration of " + content.size()
                    + " bytes; larger than " + MAX_CONFIG_BYTES + " is not read"));
            return;
        }
        try (InputStream in = ModelSources.stream(content, 0); JsonParser p = Json.FACTORY.createParser(in)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                findings.add(new Finding("dl4j.config.malformed", Severity.HIGH, where, "the configuration is not a JSON object"));
                return;
            }
            int depth = 1;
            while (depth > 0) {
                JsonToken t = p.nextToken();
                if (t == null) {
                    throw new JsonProcessingException("ends inside the document", p.currentLocation()) {
                    };
                }
                switch (t) {
                    case START_OBJECT, START_ARRAY -> depth++;
                    case END_OBJECT, END_ARRAY -> depth--;
                    case FIELD_NAME -> {
                        if (p.currentName().equals("@class")) {
                            JsonToken v = p.nextToken();
                            String type = v == JsonToken.VALUE_STRING ? p.getText() : String.valueOf(v);
                            if (!own(type) && findings.size() < MAX_FINDINGS) {
                                findings.add(new Finding("dl4j.config.class", Severity.HIGH, where + "@"
                                        + p.currentLocation().getCharOffset(), "@class '" + clip(type) + "' is not a"
                                        + " DL4J or ND4J class; Jackson would instantiate it while reading the configuration"));
                            }
                            if (v == JsonToken.START_OBJECT || v == JsonToken.START_ARRAY) {
                                depth++;
                            }
                        }
                    }
                    default -> {
                    }
                }
            }
            if (p.nextToken() != null) {
                findings.add(new Finding("dl4j.config.malformed", Severity.HIGH, where, "content after the JSON document"));
            }
        } catch (JsonProcessingException e) {
            findings.add(new Finding("dl4j.config.malformed", Severity.HIGH, where, "not JSON DL4J can read: "
                    + e.getOriginalMessage()));
        }
    }

    /**
     * {@code NormalizerSerializer}'s header: {@code writeUTF("NORMALIZER")}, the normalizer type,
     * and for {@code CUSTOM} the strategy class, which {@code restore} instantiates.
     */
    private static void normalizer(ModelSource content, String where, List<Finding> findings) throws IOException {
        try (DataInputStream in = new DataInputStream(ModelSources.stream(content, 0))) {
            if (!"NORMALIZER".equals(in.readUTF())) {
                findings.add(new Finding("dl4j.normalizer", Severity.HIGH, where,
                        "neither a Java-serialized normalizer nor NormalizerSerializer's format"));
                return;
            }
            in.readInt(); // header version
            String type = in.readUTF();
            if (type.equals("CUSTOM")) {
                String strategy = in.readUTF();
                if (!own(strategy)) {
                    findings.add(new Finding("dl4j.normalizer.class", Severity.HIGH, where, "custom normalizer strategy '"
                            + clip(strategy) + "' is not an ND4J class; NormalizerSerializer would instantiate it"));
                }
            }
        } catch (IOException e) {
            findings.add(new Finding("dl4j.normalizer", Severity.HIGH, where, "normalizer header cannot be read: " + e));
        }
    }

    private static boolean javaSerial(ModelSource content) throws IOException {
        byte[] magic = ModelSources.readAt(content, 0, 2);
        return magic.length == 2 && (magic[0] & 0xff) == 0xac && (magic[1] & 0xff) == 0xed;
    }

    private static boolean own(String className) {
        for (String pkg : OWN_PACKAGES) {
            if (className.startsWith(pkg)) {
                return true;
            }
        }
        return false;
    }

    private static String clip(String s) {
        return s.length() > 120 ? s.substring(0, 120) + "…" : s;
    }
}
