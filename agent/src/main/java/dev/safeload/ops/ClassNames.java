package dev.safeload.ops;

/** Class names as a stream writes them, checked before they go near a policy file. */
public final class ClassNames {

    private ClassNames() {
    }

    /**
     * The class an array name stands for ({@code [[Lcom.acme.Foo;} is {@code com.acme.Foo}), the
     * name itself when it is not an array, or null for primitive and malformed array names.
     */
    public static String component(String name) {
        if (name == null || !name.startsWith("[")) {
            return name;
        }
        int dims = 0;
        while (dims < name.length() && name.charAt(dims) == '[') {
            dims++;
        }
        String element = name.substring(dims);
        if (element.length() < 3 || element.charAt(0) != 'L' || !element.endsWith(";")) {
            return null;
        }
        return element.substring(1, element.length() - 1);
    }

    /**
     * Whether {@code name} is a binary class name a policy may hold: dot-separated Java
     * identifiers, with none of the characters Java identifiers tolerate but ignore (control
     * characters among them), which would hide text in a reviewed file.
     */
    public static boolean isBinaryName(String name) {
        if (name == null || name.isEmpty() || name.length() > 1024) {
            return false;
        }
        boolean segmentStart = true;
        for (int i = 0; i < name.length(); ) {
            int c = name.codePointAt(i);
            if (c == '.') {
                if (segmentStart) {
                    return false;
                }
                segmentStart = true;
            } else {
                boolean ok = segmentStart ? Character.isJavaIdentifierStart(c) : Character.isJavaIdentifierPart(c);
                if (!ok || Character.isIdentifierIgnorable(c)) {
                    return false;
                }
                segmentStart = false;
            }
            i += Character.charCount(c);
        }
        return !segmentStart;
    }

    /** The package of a binary name, or "" for the unnamed package. */
    public static String packageOf(String name) {
        int dot = name.lastIndexOf('.');
        return dot < 0 ? "" : name.substring(0, dot);
    }
}
