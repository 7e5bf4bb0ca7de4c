package dev.safeload.model.pickle;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The renames Python 3's unpickler applies to imports of protocol 0-2 pickles
 * ({@code fix_imports}), so that {@code __builtin__.eval} is judged as the
 * {@code builtins.eval} it really loads. Data: resource {@code python2-names.txt}.
 */
final class Python2Names {

    private static final Map<String, String> MODULES = new HashMap<>();
    private static final Map<String, String[]> NAMES = new HashMap<>();

    static {
        List<String> lines = PickleImports.read("/dev/safeload/model/pickle/python2-names.txt");
        for (String line : lines) {
            String[] f = line.split(" ");
            if (f[0].equals("module")) {
                MODULES.put(f[1], f[2]);
            } else {
                NAMES.put(f[1] + " " + f[2], new String[] {f[3], f[4]});
            }
        }
    }

    private Python2Names() {
    }

    /** {module, name} as Python 3 imports them for a protocol 0-2 pickle. */
    static String[] map(String module, String name) {
        String[] renamed = NAMES.get(module + " " + name);
        if (renamed != null) {
            return renamed;
        }
        String m = MODULES.get(module);
        return new String[] {m != null ? m : module, name};
    }
}
