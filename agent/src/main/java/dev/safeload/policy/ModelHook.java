package dev.safeload.policy;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A hook a user declares with {@code model.hooks=com.acme.ModelStore#load(0)}: the class, the
 * method, and the index of the argument that holds the model.
 */
public record ModelHook(String className, String method, int argument) {

    private static final Pattern SPEC = Pattern.compile("([\\p{L}_$][\\p{L}\\p{N}_$.]*)#([\\p{L}_$][\\p{L}\\p{N}_$]*)\\((\\d{1,2})\\)");

    /** Parses a list of hooks separated by ';', ',' or white space. */
    public static List<ModelHook> parseAll(String value) {
        List<ModelHook> hooks = new ArrayList<>();
        for (String item : value.split("[;,\\s]+")) {
            if (item.isEmpty()) {
                continue;
            }
            Matcher m = SPEC.matcher(item);
            if (!m.matches()) {
                throw new IllegalArgumentException("hook \"" + item + "\" is not class#method(argumentIndex),"
                        + " e.g. com.acme.ModelStore#load(0)");
            }
            hooks.add(new ModelHook(m.group(1), m.group(2), Integer.parseInt(m.group(3))));
        }
        return hooks;
    }

    @Override
    public String toString() {
        return className + "#" + method + "(" + argument + ")";
    }
}
