package dev.safeload.model.gguf;

/** The metadata value types of the GGUF specification, by their wire code. */
enum GgufValueType {
    UINT8(1), INT8(1), UINT16(2), INT16(2), UINT32(4), INT32(4), FLOAT32(4), BOOL(1), STRING(-1), ARRAY(-1),
    UINT64(8), INT64(8), FLOAT64(8);

    private static final GgufValueType[] BY_CODE = values();

    /** Bytes per value, or -1 for the variable-length types. */
    final int width;

    GgufValueType(int width) {
        this.width = width;
    }

    /** The type with wire code {@code code}, or null. */
    static GgufValueType of(long code) {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[(int) code] : null;
    }
}
