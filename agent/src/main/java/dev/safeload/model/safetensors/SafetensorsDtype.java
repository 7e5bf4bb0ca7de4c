package dev.safeload.model.safetensors;

import java.util.HashMap;
import java.util.Map;

/** The element types the reference safetensors implementation accepts, with their width in bits. */
enum SafetensorsDtype {
    BOOL(8), F4(4), F6_E2M3(6), F6_E3M2(6), U8(8), I8(8), F8_E5M2(8), F8_E4M3(8), F8_E8M0(8),
    I16(16), U16(16), F16(16), BF16(16), I32(32), U32(32), F32(32), C64(64), F64(64), I64(64), U64(64);

    private static final Map<String, SafetensorsDtype> BY_NAME = new HashMap<>();

    static {
        for (SafetensorsDtype dtype : values()) {
            BY_NAME.put(dtype.name(), dtype);
        }
    }

    final int bits;

    SafetensorsDtype(int bits) {
        this.bits = bits;
    }

    /** The dtype spelled exactly {@code name} (the reference is case-sensitive), or null. */
    static SafetensorsDtype named(String name) {
        return BY_NAME.get(name);
    }
}
