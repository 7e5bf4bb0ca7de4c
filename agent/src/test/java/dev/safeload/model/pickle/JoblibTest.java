package dev.safeload.model.pickle;

import static dev.safeload.model.Scans.assertAllowed;
import static dev.safeload.model.Scans.assertBlocked;
import static dev.safeload.model.Scans.scan;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.safeload.model.ScanResult;
import dev.safeload.model.Severity;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class JoblibTest {

    /** A joblib.dump of one array: the wrapper's BUILD, then the array bytes, then the rest of the pickle. */
    static byte[] joblib(String dtype, boolean aligned, byte[] arrayBytes, int elements) {
        PickleBuilder b = PickleBuilder.proto(4).str("joblib.numpy_pickle").str("NumpyArrayWrapper").op(PickleOp.STACK_GLOBAL)
                .op(PickleOp.EMPTY_TUPLE).op(PickleOp.NEWOBJ).op(PickleOp.EMPTY_DICT).mark()
                .str("subclass").str("numpy").str("ndarray").op(PickleOp.STACK_GLOBAL)
                .str("shape").int1(elements).op(PickleOp.TUPLE1)
                .str("order").str("C")
                .str("dtype").global("numpy", "dtype").str(dtype).op(PickleOp.NEWFALSE).op(PickleOp.NEWTRUE).op(PickleOp.TUPLE3).reduce()
                .mark().int1(3).str("<").op(PickleOp.NONE).op(PickleOp.NONE).op(PickleOp.NONE)
                .op(PickleOp.BININT).le(-1, 4).op(PickleOp.BININT).le(-1, 4).int1(dtype.equals("O") ? 63 : 0).tuple()
                .op(PickleOp.BUILD)
                .str("allow_mmap").op(PickleOp.NEWTRUE);
        if (aligned) {
            b.str("numpy_array_alignment_bytes").int1(16);
        }
        b.op(PickleOp.SETITEMS).op(PickleOp.BUILD);
        if (aligned) {
            b.u8(3).raw(new byte[] {-1, -1, -1});
        }
        return b.raw(arrayBytes).stop().bytes();
    }

    @Test
    void stepsOverArrayBytesThatFollowTheWrapper() {
        byte[] data = new byte[16];
        java.util.Arrays.fill(data, (byte) '.');
        ScanResult r = scan("model.joblib", joblib("i8", true, data, 2));
        assertAllowed(r);
        assertEquals(List.of("joblib"), r.formats());
        // One byte short: the STOP is eaten as array data and the pickle never ends.
        assertBlocked(scan("model.joblib", joblib("i8", true, data, 3)), PickleMachine.RULE_TRUNCATED, Severity.HIGH);
    }

    @Test
    void readsArraysThatFollowAVocabularyLargerThanTheRetentionBudget() {
        // A text pipeline's vocabulary: far more items than the machine keeps, then an array.
        PickleBuilder vocabulary = PickleBuilder.proto(4).op(PickleOp.EMPTY_DICT);
        for (int chunk = 0; chunk < 400; chunk++) {
            vocabulary.mark();
            for (int i = 0; i < 1000; i++) {
                vocabulary.str("w" + (chunk * 1000 + i)).op(PickleOp.BININT).le(chunk * 1000 + i, 4);
            }
            vocabulary.op(PickleOp.SETITEMS);
        }
        byte[] head = vocabulary.op(PickleOp.POP).bytes();
        byte[] data = new byte[16];
        byte[] array = joblib("i8", true, data, 2);
        // Splice: the vocabulary pickle's opcodes (without its PROTO) then the joblib pickle's body.
        byte[] file = PickleMachineTest.concat(head, java.util.Arrays.copyOfRange(array, 2, array.length));
        assertAllowed(scan("model.joblib", file));
    }

    @Test
    void checksTheNestedPickleOfAnObjectArray() {
        byte[] nested = PickleBuilder.proto(2).call("os", "system", "id").stop().bytes();
        assertBlocked(scan("model.joblib", joblib("O", false, nested, 1)), PickleMachine.RULE_DANGEROUS, Severity.CRITICAL);
        byte[] benign = PickleBuilder.proto(2).op(PickleOp.EMPTY_LIST).stop().bytes();
        assertAllowed(scan("model.joblib", joblib("O", false, benign, 1)));
    }

    @Test
    void blocksArrayBytesThatPickleLoadWouldRunAsOpcodes() {
        // joblib skips these 16 bytes as two int64s; pickle.load reads GLOBAL posix.system from them.
        byte[] twoFaced = "cposix\nsystem\nNN".getBytes(StandardCharsets.US_ASCII);
        assertBlocked(scan("model.joblib", joblib("i8", false, twoFaced, 2)), PickleMachine.RULE_DANGEROUS, Severity.CRITICAL);
    }

    /**
     * joblib reads the padding byte whenever {@code getattr(self, 'numpy_array_alignment_bytes',
     * None) is not None} (numpy_pickle.py, read_array and read_mmap), whatever the value. Here it
     * is a str: joblib skips 1 + 3 bytes of padding and 16 of data and runs the reducer after
     * them; a reader that pads only for an int reads the POP and a SHORT_BINBYTES that hides it.
     */
    @Test
    void readsPaddingWheneverTheAlignmentAttributeIsNotNone() {
        byte[] evil = PickleBuilder.proto(2).call("posix", "system", "id").op(PickleOp.POP).bytes();
        evil = java.util.Arrays.copyOfRange(evil, 2, evil.length); // without its PROTO
        byte[] region = new byte[4 + 16];
        region[0] = 3;
        region[16] = '0';
        region[17] = 'C';
        region[18] = (byte) (1 + evil.length);
        byte[] payload = new byte[region.length + evil.length];
        System.arraycopy(region, 0, payload, 0, region.length);
        System.arraycopy(evil, 0, payload, region.length, evil.length);
        assertBlocked(scan("model.joblib", joblibAlignedWith(PickleBuilder.proto(2).str("x"), payload)),
                PickleMachine.RULE_DANGEROUS, Severity.CRITICAL);
        // The twin: None means no padding byte at all; the 16 data bytes follow the BUILD directly.
        assertAllowed(scan("model.joblib", joblibAlignedWith(PickleBuilder.proto(2).op(PickleOp.NONE), new byte[16])));
    }

    private static byte[] joblibAlignedWith(PickleBuilder alignmentValue, byte[] afterBuild) {
        byte[] value = alignmentValue.bytes();
        PickleBuilder b = PickleBuilder.proto(4).str("joblib.numpy_pickle").str("NumpyArrayWrapper").op(PickleOp.STACK_GLOBAL)
                .op(PickleOp.EMPTY_TUPLE).op(PickleOp.NEWOBJ).op(PickleOp.EMPTY_DICT).mark()
                .str("subclass").str("numpy").str("ndarray").op(PickleOp.STACK_GLOBAL)
                .str("shape").int1(2).op(PickleOp.TUPLE1)
                .str("order").str("C")
                .str("dtype").global("numpy", "dtype").str("i8").op(PickleOp.NEWFALSE).op(PickleOp.NEWTRUE).op(PickleOp.TUPLE3).reduce()
                .mark().int1(3).str("<").op(PickleOp.NONE).op(PickleOp.NONE).op(PickleOp.NONE)
                .op(PickleOp.BININT).le(-1, 4).op(PickleOp.BININT).le(-1, 4).int1(0).tuple()
                .op(PickleOp.BUILD)
                .str("allow_mmap").op(PickleOp.NEWTRUE)
                .str("numpy_array_alignment_bytes").raw(java.util.Arrays.copyOfRange(value, 2, value.length));
        b.op(PickleOp.SETITEMS).op(PickleOp.BUILD);
        return b.raw(afterBuild).stop().bytes();
    }
}
