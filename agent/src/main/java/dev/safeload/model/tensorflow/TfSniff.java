package dev.safeload.model.tensorflow;

/**
 * Tells TensorFlow's protobuf files apart by structure, since protobuf has no magic. A
 * {@code SavedModel} is {@code saved_model_schema_version = 1} (varint, always 1) and
 * {@code meta_graphs = 2} (MetaGraphDefs, whose fields are all messages); ONNX's ModelProto also
 * opens with field 1 as a varint, but its field 2 is a producer name and it has a graph at 7. A
 * {@code GraphDef} is {@code node = 1} (NodeDef: name = 1, op = 2, input = 3, device = 4,
 * attr = 5), {@code library = 2}, {@code version = 3}, {@code versions = 4}, {@code debug_info = 5}.
 */
public final class TfSniff {

    private TfSniff() {
    }

    /** Whether {@code head} reads as a SavedModel. */
    public static boolean looksLikeSavedModel(byte[] head, long size) {
        int[] pos = {0};
        boolean version = false;
        boolean metaGraph = false;
        while (pos[0] < head.length) {
            long tag = varint(head, pos);
            if (tag < 0) {
                break;
            }
            if (tag == 8) {
                long value = varint(head, pos);
                if (value != 1) {
                    return false;
                }
                version = true;
            } else if (tag == 18) {
                long length = varint(head, pos);
                if (length < 0 || length > size - pos[0]) {
                    return length < 0 && version && metaGraph;
                }
                if (!messageOf(head, pos[0], length, 7)) {
                    return false;
                }
                metaGraph = true;
                if (length > head.length - pos[0]) {
                    break;
                }
                pos[0] += (int) length;
            } else if (!skip(head, pos, tag)) {
                return false;
            }
        }
        return version && metaGraph;
    }

    /**
     * Skips a field no SavedModel has, so a polyglot (a SavedModel that also carries an ONNX graph
     * at field 7) is still claimed, and the check refuses it as ambiguous.
     */
    private static boolean skip(byte[] head, int[] pos, long tag) {
        switch ((int) (tag & 7)) {
            case 0 -> varint(head, pos);
            case 1 -> pos[0] += 8;
            case 5 -> pos[0] += 4;
            case 2 -> {
                long length = varint(head, pos);
                if (length < 0) {
                    return true;
                }
                pos[0] = (int) Math.min(head.length, pos[0] + length);
            }
            default -> {
                return false;
            }
        }
        return tag >>> 3 != 0;
    }

    /** Whether {@code head} reads as a GraphDef with at least one node. */
    public static boolean looksLikeGraphDef(byte[] head, long size) {
        int[] pos = {0};
        boolean node = false;
        while (pos[0] < head.length) {
            long tag = varint(head, pos);
            if (tag < 0) {
                break;
            }
            int field = (int) (tag >>> 3);
            int wireType = (int) (tag & 7);
            if (field == 3 && wireType == 0) {
                if (varint(head, pos) < 0) {
                    break;
                }
                continue;
            }
            if (field < 1 || field > 5 || wireType != 2) {
                return false;
            }
            long length = varint(head, pos);
            if (length < 0) {
                break;
            }
            if (length > size - pos[0]) {
                return false;
            }
            if (field == 1) {
                if (!nodeDef(head, pos[0], length)) {
                    return false;
                }
                node = true;
            }
            if (length > head.length - pos[0]) {
                break;
            }
            pos[0] += (int) length;
        }
        return node;
    }

    /** A NodeDef: fields 1 to 7, all length-delimited, with an op name that is an identifier. */
    private static boolean nodeDef(byte[] head, int start, long length) {
        if (!messageOf(head, start, length, 7)) {
            return false;
        }
        int[] pos = {start};
        long end = Math.min(head.length, start + length);
        boolean op = false;
        while (pos[0] < end) {
            long tag = varint(head, pos);
            long len = varint(head, pos);
            if (tag < 0 || len < 0 || len > end - pos[0]) {
                return true; // runs past the head; what was seen fits
            }
            if (tag == 18) {
                if (len == 0 || !identifier(head, pos[0], (int) len)) {
                    return false;
                }
                op = true;
            }
            pos[0] += (int) len;
        }
        return op || end < start + length;
    }

    private static boolean identifier(byte[] b, int start, int length) {
        for (int i = start; i < start + length; i++) {
            char c = (char) (b[i] & 0xff);
            boolean ok = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c == '>' || c == '.'
                    || i > start && c >= '0' && c <= '9';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** The bytes at {@code start} begin a message whose fields, as far as the head shows, are LEN fields 1..max. */
    private static boolean messageOf(byte[] head, int start, long length, int maxField) {
        if (length == 0) {
            return true;
        }
        int[] pos = {start};
        long end = Math.min(head.length, start + length);
        while (pos[0] < end) {
            long tag = varint(head, pos);
            if (tag < 0) {
                return pos[0] > start + 1 || end < start + length;
            }
            int field = (int) (tag >>> 3);
            if ((tag & 7) != 2 || field < 1 || field > maxField) {
                return false;
            }
            long len = varint(head, pos);
            if (len < 0 || len > end - pos[0]) {
                return end < start + length || len >= 0 && len <= start + length - pos[0];
            }
            pos[0] += (int) len;
        }
        return pos[0] == start + length || end < start + length;
    }

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
