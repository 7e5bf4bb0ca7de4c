package dev.safeload.model.onnx;

import dev.safeload.model.tensorflow.TfSniff;

/**
 * Recognises a serialized {@code ModelProto} from its first bytes. Protobuf has no magic, so the
 * head must read as a run of ModelProto fields with the right wire types and lengths that fit
 * the file, including {@code ir_version} or {@code graph}. Field order is not relied on: writers
 * emit {@code ir_version} first, but ONNX Runtime loads a model whose graph comes first, and a
 * file no check claims is a file no check looks at.
 */
final class OnnxSniff {

    /** Field number to wire type for the fields of ModelProto (onnx.proto, IR version 10). */
    private static final int[] WIRE_TYPES = new int[27];
    private static final int IR_VERSION = 1;
    private static final int GRAPH = 7;

    static {
        java.util.Arrays.fill(WIRE_TYPES, -1);
        WIRE_TYPES[IR_VERSION] = 0;
        WIRE_TYPES[2] = 2; // producer_name
        WIRE_TYPES[3] = 2; // producer_version
        WIRE_TYPES[4] = 2; // domain
        WIRE_TYPES[5] = 0; // model_version
        WIRE_TYPES[6] = 2; // doc_string
        WIRE_TYPES[GRAPH] = 2;
        WIRE_TYPES[8] = 2; // opset_import
        WIRE_TYPES[14] = 2; // metadata_props
        WIRE_TYPES[20] = 2; // training_info
        WIRE_TYPES[25] = 2; // functions
        WIRE_TYPES[26] = 2; // configuration
    }

    /** IR versions run from 1 (2017) to 11 today; leave room for a few more. */
    private static final long MAX_IR_VERSION = 64;

    private OnnxSniff() {
    }

    static boolean looksLikeModel(byte[] head, long size) {
        int[] pos = {0};
        int fields = 0;
        boolean irVersion = false;
        boolean graph = false;
        boolean runsPastHead = false;
        while (pos[0] < head.length) {
            long tag = varint(head, pos);
            if (tag < 0) {
                runsPastHead = true; // cut off by the end of the head
                break;
            }
            int field = (int) (tag >>> 3);
            int wireType = (int) (tag & 7);
            if (tag > Integer.MAX_VALUE || field >= WIRE_TYPES.length || WIRE_TYPES[field] != wireType) {
                return false;
            }
            long value = varint(head, pos);
            if (value < 0) {
                runsPastHead = true;
                break;
            }
            if (field == IR_VERSION) {
                if (value < 1 || value > MAX_IR_VERSION) {
                    return false;
                }
                irVersion = true;
            }
            if (wireType == 2) {
                if (value > size - pos[0]) {
                    return false;
                }
                graph |= field == GRAPH;
                if (value > head.length - pos[0]) {
                    runsPastHead = true;
                    fields++;
                    break;
                }
                pos[0] += (int) value;
            }
            fields++;
        }
        if (!irVersion && !graph) {
            return false;
        }
        if (!graph && TfSniff.looksLikeSavedModel(head, size)) {
            return false; // saved_model_schema_version = 1 reads as ir_version 1; meta graphs are no producer name
        }
        // One field alone must at least end exactly at the end of the file or run past the head.
        return fields >= 2 || runsPastHead || head.length == size;
    }

    /** A varint at {@code pos[0]}, advancing it; -1 if malformed or cut off. */
    private static long varint(byte[] b, int[] pos) {
        long value = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (pos[0] >= b.length) {
                return -1;
            }
            int x = b[pos[0]++];
            value |= (long) (x & 0x7F) << shift;
            if (x >= 0) {
                return value;
            }
        }
        return -1;
    }
}
