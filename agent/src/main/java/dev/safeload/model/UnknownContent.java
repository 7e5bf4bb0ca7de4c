package dev.safeload.model;

/** Says, for a file no check claims, what it seems to be, so a blocked verdict explains itself. */
final class UnknownContent {

    private UnknownContent() {
    }

    static String describe(byte[] head, long size) {
        if (size == 0) {
            return "empty file: nothing to verify";
        }
        if (starts(head, 0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c)) {
            return "7-Zip archive: no model loader reads it and its content is not checked";
        }
        if (starts(head, 'R', 'a', 'r', '!')) {
            return "RAR archive: no model loader reads it and its content is not checked";
        }
        if (starts(head, 'P', 'K', 3, 4) || starts(head, 'P', 'K', 5, 6)) {
            return "zip archive that is no known model layout (or whose entries cannot be read)";
        }
        if (starts(head, 0x89, 'H', 'D', 'F')) {
            return "HDF5 file: no registered check reads this format yet";
        }
        if (starts(head, 0xac, 0xed, 0x00, 0x05)) {
            return "Java serialization stream: no registered check reads this format yet";
        }
        return "content matches no known model format (first bytes " + hex(head) + "); it cannot be verified";
    }

    private static boolean starts(byte[] head, int... magic) {
        if (head.length < magic.length) {
            return false;
        }
        for (int i = 0; i < magic.length; i++) {
            if ((head[i] & 0xff) != magic[i]) {
                return false;
            }
        }
        return true;
    }

    private static String hex(byte[] head) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(8, head.length); i++) {
            sb.append(String.format("%02x", head[i] & 0xff));
        }
        return sb.toString();
    }
}
