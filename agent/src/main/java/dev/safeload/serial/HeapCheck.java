package dev.safeload.serial;

/** Whether an array a stream asks for could be allocated at all, before the JDK tries. */
final class HeapCheck {

    private HeapCheck() {
    }

    /** False when {@code length} elements of {@code arrayType}'s component cannot fit in the heap. */
    static boolean fits(Class<?> arrayType, long length) {
        long elementBytes = elementBytes(arrayType);
        Runtime rt = Runtime.getRuntime();
        long free = rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
        return length <= free / elementBytes;
    }

    /** The fewest bytes one element of {@code arrayType} takes. */
    static long elementBytes(Class<?> arrayType) {
        Class<?> component = arrayType.isArray() ? arrayType.getComponentType() : Object.class;
        long elementBytes;
        if (component == long.class || component == double.class) {
            elementBytes = 8;
        } else if (component == int.class || component == float.class) {
            elementBytes = 4;
        } else if (component == short.class || component == char.class) {
            elementBytes = 2;
        } else if (component == byte.class || component == boolean.class) {
            elementBytes = 1;
        } else {
            elementBytes = 4; // a compressed reference: the smallest a reference can be
        }
        return elementBytes;
    }
}
