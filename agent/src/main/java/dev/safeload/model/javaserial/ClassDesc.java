package dev.safeload.model.javaserial;

import java.util.List;

/**
 * A class descriptor as the stream wrote it: enough to lay out the class data that follows,
 * without the class itself.
 *
 * @param name the class name, or null for a dynamic proxy
 * @param flags the {@code SC_*} flags
 * @param fields the serializable fields, primitives first as the JDK requires
 * @param superDesc the superclass's descriptor, or null
 */
record ClassDesc(String name, int flags, List<Field> fields, ClassDesc superDesc) {

    /** One serializable field: a type code ({@code B C D F I J S Z L [}) and a name. */
    record Field(char type, String name) {

        /** Bytes of a primitive value, or 0 for an object field. */
        int primitiveSize() {
            return switch (type) {
                case 'B', 'Z' -> 1;
                case 'C', 'S' -> 2;
                case 'I', 'F' -> 4;
                case 'J', 'D' -> 8;
                default -> 0;
            };
        }
    }

    String displayName() {
        return name == null ? "a dynamic proxy class" : name;
    }
}
