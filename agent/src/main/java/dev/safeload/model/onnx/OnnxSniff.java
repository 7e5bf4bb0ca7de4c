package dev.safeload.model.onnx;

/**
 * Recognises a serialized {@code ModelProto} from its first bytes. Protobuf has no magic, but
 * every ONNX writer emits fields in number order, so a model opens with {@code ir_version}
 * (field 1, varint) and continues with known ModelProto fields whose lengths fit the file.
 */
final class OnnxSniff {

    /** Field number to wire type for the fields of ModelProto (onnx.proto, IR version 10). */
    private static final int[] WIRE_TYPES = new int[27];

    static {
        java.util.Arrays.fill(WIRE_TYPES, -1);
        WIRE_TYPES[1] = 0; // ir_version
        WIRE_TYPES[2] = 2; // producer_name
        WIRE_TYPES[3] = 2; // producer_version
        WIRE_TYPES[4] = 2; // domain
        WIRE_TYPES[5] = 0; // model_version
        WIRE_TYPES[6] = 2; // doc_string
        WIRE_TYPES[7] = 2; // graph
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
        if (head.length < 2 || head[0] != 0x08) {
            return false;
        }
        int[] pos = {1};
        long irVersion = varint(head, pos);
        if (irVersion < 1 || irVersion > MAX_IR_VERSION) {
            return false;
        }
        int fields = 1;
        while (pos[0] < head.length) {
            long tag = varint(head, pos);
            if (tag < 0) {
                return pos[0] >= head.length && fields > 1; // cut off by the end of the head
            }
            int field = (int) (tag >>> 3);
            int wireType = (int) (tag & 7);
            if (tag > Integer.MAX_VALUE || field >= WIRE_TYPES.length || WIRE_TYPES[field] != wireType) {
                return false;
            }
            if (wireType == 0) {
                if (varint(head, pos) < 0) {
                    return pos[0] >= head.length;
                }
            } else {
                long length = varint(head, pos);
                if (length < 0 || pos[0] + length > size) {
                    return false;
                }
                pos[0] += (int) Math.min(length, Integer.MAX_VALUE - pos[0]);
            }
            fields++;
        }
        return fields > 1 || size <= head.length;
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
