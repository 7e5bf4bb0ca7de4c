package dev.safeload.model;

import dev.safeload.model.compress.Codec;
import dev.safeload.model.compress.CompressedCheck;
import dev.safeload.model.compress.ZipIndex;
import dev.safeload.model.dl4j.Dl4jCheck;
import dev.safeload.model.gguf.GgufCheck;
import dev.safeload.model.h2o.H2oMojoCheck;
import dev.safeload.model.javaserial.JavaSerialCheck;
import dev.safeload.model.keras.KerasV3Check;
import dev.safeload.model.numpy.NpyCheck;
import dev.safeload.model.numpy.NpzCheck;
import dev.safeload.model.onnx.OnnxCheck;
import dev.safeload.model.pickle.JoblibCheck;
import dev.safeload.model.pickle.PickleCheck;
import dev.safeload.model.pmml.PmmlCheck;
import dev.safeload.model.read.ZipEnd;
import dev.safeload.model.safetensors.SafetensorsCheck;
import dev.safeload.model.tensorflow.TensorflowCheck;
import dev.safeload.model.tensorflow.TfSniff;
import dev.safeload.model.torch.TorchLegacyCheck;
import dev.safeload.model.torch.TorchLegacyTarCheck;
import dev.safeload.model.torch.TorchZipCheck;
import dev.safeload.model.xgboost.XGBoostCheck;
import dev.safeload.pack.Pack;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The registry of format checks: a new format is one entry in {@link #CHECKS} and one case in
 * {@link #create}.
 *
 * <p>Every check still sniffs every file, but a check's classes load only when the file's first
 * bytes could be its format: each entry carries a quick test on the head, a necessary condition
 * of its check's own sniff, so a "no" from it is the "no" the sniff would give. A server that
 * loads one ONNX model at start then loads the ONNX check, the protobuf sniffs and the zip
 * end reader, not the pickle machine, eight codecs and six zip-based checks (issue 12).
 */
public final class FormatChecks {

    // Quick tests on the head, each implied by the sniffs of the checks that use it.
    private static final int ANY = 0;
    /** The first byte is a pickle opcode: the pickle machine stops at once on any other byte. */
    private static final int PICKLE = 1;
    /** A zip by its first local header or its end records ({@link ZipIndex#isZip}). */
    private static final int ZIP = 2;
    /** A tar header block: both of the legacy tar check's sniffs need 512 bytes. */
    private static final int TAR = 3;
    /** NumPy's magic {@code \x93NUMPY} and a 10-byte header. */
    private static final int NPY = 4;
    /** Compressed streams: the first byte of the codec's magic, after the entry's format. */
    private static final int FIRST_BYTE = 5;
    /** safetensors: the JSON header's brace after the 8-byte length. */
    private static final int SAFETENSORS = 6;
    /** HDF5's signature at 0, 512, 1024, ... within the head, as the Keras H5 sniff looks. */
    private static final int HDF5 = 7;
    /** GGUF's magic. */
    private static final int GGUF = 8;
    /** Java serialization's stream magic and version. */
    private static final int JAVA_SERIAL = 9;
    /** TensorFlow's sniffs themselves ({@link TfSniff}): the checks' classes compile patterns. */
    private static final int TF_SAVED_MODEL = 10;
    private static final int TF_GRAPH_DEF = 11;
    /** PMML: a '<' first, after a byte-order mark and white space. */
    private static final int XML = 12;
    /**
     * XGBoost ({@code XGBoostCheck}'s sniff): a JSON or UBJSON model starts with '{'; a legacy
     * binary one has its objective's name, 3 to 256 bytes from a lower-case letter, after its
     * 136 bytes of learner parameters (after {@code binf}, or at 0), as a u64 length and bytes.
     */
    private static final int XGBOOST = 13;
    /** {@code LegacyBinaryModel.LEARNER_PARAM} and {@code MAX_NAME}; FormatChecksTest keeps them in step. */
    static final int XGBOOST_LEARNER_PARAM = 136;
    static final int XGBOOST_MAX_NAME = 256;

    /** A check's format id, its quick test and, for {@link #FIRST_BYTE}, the byte. */
    private record Entry(String format, int test, int firstByte) {
        Entry(String format, int test) {
            this(format, test, -1);
        }
    }

    /** In the order the scanner runs the checks; the index names the check in {@link #create}. */
    private static final Entry[] CHECKS = {
        // Pickle family
        new Entry("pickle", PICKLE), new Entry("joblib", PICKLE), new Entry("pytorch-legacy", PICKLE),
        new Entry("pytorch-legacy", TAR), new Entry("pytorch-zip", ZIP), new Entry("torchscript", ZIP),
        // NumPy
        new Entry("numpy", NPY), new Entry("numpy-object", NPY), new Entry("npz", ZIP),
        // Compression around any of them (joblib's compressors, compressed pickles), in Codec order
        new Entry("gzip", FIRST_BYTE, 0x1f), new Entry("bz2", FIRST_BYTE, 'B'), new Entry("xz", FIRST_BYTE, 0xfd),
        new Entry("lzma", FIRST_BYTE, 0x5d), new Entry("zlib", FIRST_BYTE, 0x78), new Entry("lz4", FIRST_BYTE, 0x04),
        new Entry("zstd", FIRST_BYTE, 0x28), new Entry("joblib-zfile", FIRST_BYTE, 'Z'),
        // Formats without code, and Java serialization judged by the serial policy
        new Entry("safetensors", SAFETENSORS), new Entry("gguf", GGUF), new Entry("onnx", ANY),
        new Entry("tf-savedmodel", TF_SAVED_MODEL), new Entry("tf-graphdef", TF_GRAPH_DEF), new Entry("keras-h5", HDF5),
        new Entry("keras-v3", ZIP), new Entry("java-serialization", JAVA_SERIAL),
        // JVM model libraries' own formats
        new Entry("h2o-mojo", ZIP), new Entry("xgboost", XGBOOST), new Entry("pmml", XML), new Entry("dl4j", ZIP),
    };

    /** Index of the first compressed entry in {@link #CHECKS}. */
    private static final int FIRST_CODEC = 9;

    private FormatChecks() {
    }

    /** An instance of every check, in the order the scanner runs them; each made at its first likely file. */
    public static List<FormatCheck> all() {
        List<FormatCheck> checks = new ArrayList<>(CHECKS.length);
        for (int i = 0; i < CHECKS.length; i++) {
            checks.add(new Deferred(i));
        }
        return checks;
    }

    /** The check of entry {@code index}: the only place that names the check classes. */
    static FormatCheck create(int index) {
        switch (index) {
            case 0: return new PickleCheck();
            case 1: return new JoblibCheck();
            case 2: return new TorchLegacyCheck();
            case 3: return new TorchLegacyTarCheck();
            case 4: return TorchZipCheck.pytorchZip();
            case 5: return TorchZipCheck.torchScript();
            case 6: return NpyCheck.numeric();
            case 7: return NpyCheck.objects();
            case 8: return new NpzCheck();
            case 17: return new SafetensorsCheck();
            case 18: return new GgufCheck();
            case 19: return new OnnxCheck();
            case 20: return TensorflowCheck.savedModel();
            case 21: return TensorflowCheck.graphDef();
            case 22: return Pack.instance(FormatCheck.class, "dev.safeload.model.keras.h5.KerasH5Check"); // jHDF: packed
            case 23: return new KerasV3Check();
            case 24: return new JavaSerialCheck();
            case 25: return new H2oMojoCheck();
            case 26: return new XGBoostCheck();
            case 27: return new PmmlCheck();
            case 28: return new Dl4jCheck();
            default:
                if (index >= FIRST_CODEC && index < FIRST_CODEC + 8) {
                    return new CompressedCheck(Codec.values()[index - FIRST_CODEC]);
                }
                throw new IllegalArgumentException("no format check " + index);
        }
    }

    /** Bytes that start a pickle opcode ({@code PickleOp}); FormatChecksTest keeps the two in step. */
    static final boolean[] PICKLE_OPCODES = new boolean[256];

    static {
        String ops = "()]}.012BCFGIJKLMNPQRSTUVXabcdeghijlopqrstu";
        for (int i = 0; i < ops.length(); i++) {
            PICKLE_OPCODES[ops.charAt(i)] = true;
        }
        for (int code = 0x80; code <= 0x98; code++) { // PROTO to the protocol 5 opcodes
            PICKLE_OPCODES[code] = true;
        }
    }

    /**
     * False only where the entry's check is sure to refuse {@code head}; true where the check must
     * look (or when the zip test fails: the check's own sniff then decides, and reports, as
     * before). A sniff that throws here throws what the check's sniff would.
     */
    private static boolean mayBe(Entry entry, ModelSource source, byte[] head) throws IOException {
        switch (entry.test()) {
            case PICKLE:
                return head.length > 0 && PICKLE_OPCODES[head[0] & 0xff];
            case ZIP:
                try {
                    return zipSignature(source, head) && ZipIndex.isZip(source, head);
                } catch (IOException | RuntimeException e) {
                    return true;
                }
            case TAR:
                return head.length >= 512;
            case NPY:
                return head.length >= 10 && (head[0] & 0xff) == 0x93 && head[1] == 'N';
            case FIRST_BYTE:
                return head.length > 0 && (head[0] & 0xff) == entry.firstByte();
            case SAFETENSORS:
                return head.length >= 10 && head[8] == '{';
            case HDF5:
                for (long offset = 0; offset + 8 <= head.length; offset = offset == 0 ? 512 : offset * 2) {
                    if ((head[(int) offset] & 0xff) == 0x89 && head[(int) offset + 1] == 'H') {
                        return true;
                    }
                }
                return false;
            case GGUF:
                return head.length >= 4 && head[0] == 'G';
            case JAVA_SERIAL:
                return head.length >= 4 && (head[0] & 0xff) == 0xAC;
            case TF_SAVED_MODEL:
                return TfSniff.looksLikeSavedModel(head, source.size());
            case TF_GRAPH_DEF:
                return TfSniff.looksLikeGraphDef(head, source.size());
            case XML:
                int i = head.length >= 3 && (head[0] & 0xff) == 0xef && (head[1] & 0xff) == 0xbb && (head[2] & 0xff) == 0xbf ? 3 : 0;
                while (i < head.length && (head[i] == ' ' || head[i] == '\t' || head[i] == '\r' || head[i] == '\n')) {
                    i++;
                }
                return i < head.length && head[i] == '<';
            case XGBOOST:
                boolean binf = head.length >= 4 && head[0] == 'b' && head[1] == 'i' && head[2] == 'n' && head[3] == 'f';
                return head.length >= 2 && head[0] == '{' || xgboostName(head, XGBOOST_LEARNER_PARAM)
                        || binf && xgboostName(head, 4 + XGBOOST_LEARNER_PARAM);
            default:
                return true;
        }
    }

    /**
     * Whether a zip reader may take the file for a zip: it starts with a local header, or an end
     * record's signature lies in the last bytes both of {@link ZipEnd}'s readers search. False
     * only where {@link ZipIndex#isZip} is false; the class itself (with {@code ZipEnd} and its
     * views) then never loads for a file that is no zip, such as an ONNX model (issue 12).
     */
    static boolean zipSignature(ModelSource source, byte[] head) throws IOException {
        if (head.length >= 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4) {
            return true;
        }
        long size = source.size();
        int tailLength = (int) Math.min(size, ZipEnd.TAIL);
        byte[] tail = size == head.length ? head : ModelSources.readAt(source, size - tailLength, tailLength);
        if (tail.length < tailLength) {
            return true; // the file changed while read: the readers decide
        }
        for (int i = tail.length - 4; i >= 0; i--) {
            if (tail[i] == 'P' && tail[i + 1] == 'K' && tail[i + 2] == 5 && tail[i + 3] == 6) {
                return true;
            }
        }
        return false;
    }

    /** A u64 length of 3 to 256 at {@code at}, the bytes it counts within {@code head}, the first a lower-case letter. */
    private static boolean xgboostName(byte[] head, int at) {
        if (at + 8 > head.length) {
            return false;
        }
        long n = 0;
        for (int i = 7; i >= 0; i--) {
            n = n << 8 | (head[at + i] & 0xff);
        }
        return n >= 3 && n <= XGBOOST_MAX_NAME && at + 8 + n <= head.length && head[at + 8] >= 'a' && head[at + 8] <= 'z';
    }

    /** A registered check, made the first time a file passes its quick test. */
    static final class Deferred implements FormatCheck, ContentSniff {
        private final int index;
        private FormatCheck check;

        Deferred(int index) {
            this.index = index;
        }

        /** The check itself, made now if it was not yet. */
        FormatCheck check() {
            if (check == null) {
                check = create(index);
            }
            return check;
        }

        @Override
        public String format() {
            return CHECKS[index].format();
        }

        @Override
        public boolean sniff(byte[] head, long size) {
            return check().sniff(head, size);
        }

        @Override
        public boolean sniff(ModelSource source, byte[] head) throws IOException {
            Entry entry = CHECKS[index];
            // Tests that repeat the sniff's own reading (the zip records, TensorFlow's sniffs) run
            // only until the check is made: after that they would read each file twice.
            boolean repeatsSniff = entry.test() == ZIP || entry.test() == TF_SAVED_MODEL || entry.test() == TF_GRAPH_DEF;
            if ((check == null || !repeatsSniff) && !mayBe(entry, source, head)) {
                return false;
            }
            FormatCheck c = check();
            return c instanceof ContentSniff cs ? cs.sniff(source, head) : c.sniff(head, source.size());
        }

        @Override
        public List<Finding> check(ModelSource source, ScanContext context) throws IOException {
            return check().check(source, context);
        }

        @Override
        public String toString() {
            return format();
        }
    }
}
