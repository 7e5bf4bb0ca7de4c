package dev.safeload.model.tensorflow;

import dev.safeload.model.Finding;
import dev.safeload.model.ModelSource;
import dev.safeload.model.ScanContext;
import dev.safeload.model.keras.KerasConfigs;
import dev.safeload.model.read.WireFormatException;
import dev.safeload.model.read.WireReader;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The files TensorFlow writes beside {@code saved_model.pb}, which a folder scan would otherwise
 * take for unknown content: the saver's checkpoint ({@code variables/}), {@code fingerprint.pb}
 * (hashes) and {@code keras_metadata.pb} (the Keras configs tf.keras rebuilds layers from, judged
 * here as Keras configs). Each is attributed to the model only once it has been read as such,
 * and only if it really sits inside the model's folder.
 */
final class SavedModelFiles {

    /** {@code variables.index} and {@code variables.data-00000-of-00001}: the checkpoint the saver restores. */
    private static final Pattern CHECKPOINT_FILE = Pattern.compile("variables\\.(index|data-\\d{5}-of-\\d{5})");
    static final long MAX_METADATA_FILE = 64L << 20;
    private static final int MAX_DEPTH = 8;

    private final Path folder;
    private final ScanContext context;

    private SavedModelFiles(Path folder, ScanContext context) {
        this.folder = folder;
        this.context = context;
    }

    /** Attributes the companion files of the SavedModel in {@code directory}, judging Keras metadata into {@code findings}. */
    static void attribute(Path directory, boolean hasSaver, ScanContext context, List<Finding> findings) {
        if (directory == null || context == null) {
            return;
        }
        try {
            SavedModelFiles files = new SavedModelFiles(directory.toRealPath(), context);
            if (hasSaver) {
                files.variables(directory.resolve("variables"));
            }
            files.fingerprint(directory.resolve("fingerprint.pb"));
            files.kerasMetadata(directory.resolve("keras_metadata.pb"), findings);
        } catch (IOException | RuntimeException e) {
            // Nothing more attributed: what is left stays unknown content, which is refused.
        }
    }

    /**
     * The saver reads the checkpoint files as tensor bytes through RestoreV2, never as a model of
     * their own.
     */
    private void variables(Path variables) throws IOException {
        if (!Files.isDirectory(variables)) {
            return;
        }
        try (Stream<Path> files = Files.list(variables)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                if (CHECKPOINT_FILE.matcher(file.getFileName().toString()).matches()) {
                    inside(file);
                }
            }
        }
    }

    /** FingerprintDef: hashes at fields 1 to 5 (varints) and a VersionDef at 6, nothing else. */
    private void fingerprint(Path file) throws IOException {
        if (!Files.isRegularFile(file) || Files.size(file) > 4096) {
            return;
        }
        WireReader in = new WireReader(ModelSource.of(file.toString(), Files.readAllBytes(file), null), 8192);
        for (int tag; (tag = in.readTag()) != 0; ) {
            int field = tag >>> 3;
            int type = tag & 7;
            boolean known = field >= 1 && field <= 5 && type == WireReader.VARINT
                    || field == 6 && type == WireReader.LENGTH_DELIMITED;
            if (!known) {
                return;
            }
            in.skipField(tag);
        }
        inside(file);
    }

    /**
     * SavedMetadata: nodes, each with a metadata string of JSON. Every string field that reads as
     * a JSON object is judged as a Keras config, whichever field holds it.
     */
    private void kerasMetadata(Path file, List<Finding> findings) throws IOException {
        if (!Files.isRegularFile(file) || Files.size(file) > MAX_METADATA_FILE) {
            return;
        }
        byte[] bytes = Files.readAllBytes(file);
        String where = file.toString();
        int[] count = {0};
        if (jsonStrings(bytes, 0, where, findings, count) && count[0] > 0) {
            inside(file);
        }
    }

    /** Walks a message; false if it is not a well-formed protobuf message. */
    private boolean jsonStrings(byte[] bytes, int depth, String where, List<Finding> findings, int[] count)
            throws IOException {
        if (depth > MAX_DEPTH) {
            return false;
        }
        WireReader in = new WireReader(ModelSource.of("metadata", bytes, null), 8192);
        try {
            for (int tag; (tag = in.readTag()) != 0; ) {
                if ((tag & 7) != WireReader.LENGTH_DELIMITED) {
                    in.skipField(tag);
                    continue;
                }
                byte[] value = in.readRawBytes(in.readRawVarint32());
                String text = utf8(value);
                if (text != null && text.strip().startsWith("{")) {
                    count[0]++;
                    KerasConfigs.inspect(text, where + "!metadata[" + count[0] + "]", findings);
                } else if (depth == 0 && !jsonStrings(value, depth + 1, where, findings, count)) {
                    return false; // a node that is no message
                }
            }
            return true;
        } catch (WireFormatException e) {
            return false;
        }
    }

    private static String utf8(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    private void inside(Path file) throws IOException {
        Path real = file.toRealPath();
        if (real.startsWith(folder) && Files.isRegularFile(real)) {
            context.readsDataFile(real);
        }
    }
}
