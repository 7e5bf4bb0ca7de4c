package dev.safeload.model.javaserial;

import dev.safeload.policy.Decision;
import java.io.File;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The {@link CodeBearingField} rules applied to a deserialized object itself, for the stream
 * guard: a model read through any stream, not only through a file the model gate sees, is judged
 * by the same table once its fields are read and before it is handed out. Reflection reads the
 * final value, so a string reached by a back-reference, or set by a custom {@code readObject}
 * or {@code readExternal}, is judged like one written in place.
 */
public final class CodeBearingValues {

    /** Deeper than any real value (CostMatrix's Object[][] is two): a self-holding array is refused. */
    private static final int MAX_NESTING = 4;

    private static final Rule[] NONE = new Rule[0];
    private static final ClassLoader PLATFORM = ClassLoader.getPlatformClassLoader();

    /** One lookup per object; empty, and shared, for every class without a listed field. */
    private static final ClassValue<Rule[]> RULES = new ClassValue<>() {
        @Override
        protected Rule[] computeValue(Class<?> type) {
            return rulesOf(type);
        }
    };

    private CodeBearingValues() {
    }

    /**
     * The refusal for an object whose code-bearing field holds what its rule does not admit, or
     * null. Allocation-free for a class with no such field, and for one whose fields pass.
     */
    public static Decision judge(Object object) {
        if (object == null) {
            return null;
        }
        Rule[] rules = RULES.get(object.getClass());
        for (Rule rule : rules) {
            Decision refused = rule.judge(object);
            if (refused != null) {
                return refused;
            }
        }
        return null;
    }

    /**
     * Whether objects of {@code type} have a listed field, so {@link #judge} has something to
     * read: the stream guard asks once per class a stream names, and skips every other object.
     */
    public static boolean bearsCode(Class<?> type) {
        return RULES.get(type).length > 0;
    }

    private static Rule[] rulesOf(Class<?> type) {
        List<Rule> rules = null;
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            // The table names library classes only. Skipping the JDK's own keeps a JVM that reads
            // only JDK types from initialising the table (streams and lambdas) at its first read.
            ClassLoader loader = c.getClassLoader();
            if (loader == null || loader == PLATFORM) {
                continue;
            }
            Map<String, CodeBearingField> fields = CodeBearingField.ofClass(c.getName());
            if (fields.isEmpty()) {
                continue;
            }
            if (rules == null) {
                rules = new ArrayList<>();
            }
            for (CodeBearingField field : fields.values()) {
                rules.add(Rule.of(c, field));
            }
        }
        return rules == null ? NONE : rules.toArray(NONE);
    }

    /** A listed field of one class, opened for reading, or null when it cannot be read. */
    private record Rule(CodeBearingField field, Field reflected, String unreadable) {

        static Rule of(Class<?> declaring, CodeBearingField field) {
            try {
                Field f = declaring.getDeclaredField(field.fieldName);
                f.setAccessible(true);
                return new Rule(field, f, null);
            } catch (NoSuchFieldException e) {
                // A version of the library without the field: nothing there to turn into code.
                return new Rule(field, null, null);
            } catch (RuntimeException e) {
                // A named module that does not open the package: read as the loader reads, or refuse.
                return new Rule(field, null, "a field the guard cannot read (" + e + ")");
            }
        }

        Decision judge(Object object) {
            if (unreadable != null) {
                return refuse(unreadable);
            }
            if (reflected == null) {
                return null;
            }
            Object value;
            try {
                value = reflected.get(object);
            } catch (IllegalAccessException | RuntimeException e) {
                return refuse("a field the guard cannot read (" + e + ")");
            }
            return judgeValue(value, 0);
        }

        /** Every string inside the value counts, as at the model gate. */
        private Decision judgeValue(Object value, int nesting) {
            if (value == null || value instanceof Number || value instanceof Boolean || value instanceof Character) {
                return null;
            }
            if (value instanceof String s) {
                return field.admits(s) ? null : refuse("\"" + (s.length() > 120 ? s.substring(0, 120) + "..." : s) + "\"");
            }
            // Exactly File: a subclass may override getPath(), so it is not read as one.
            if (value.getClass() == File.class) {
                return judgeValue(((File) value).getPath(), nesting);
            }
            if (value instanceof Object[] array && nesting < MAX_NESTING) {
                for (Object element : array) {
                    // An array the stream is still filling (the field holds a back-reference to
                    // an array that contains this object) has its later cells still null here:
                    // they could be filled with strings after this check. No listed array has an
                    // empty cell in a real model (CostMatrix fills every cell).
                    if (element == null) {
                        return refuse("an array with an empty cell, which the stream could fill after this check");
                    }
                    Decision refused = judgeValue(element, nesting + 1);
                    if (refused != null) {
                        return refused;
                    }
                }
                return null;
            }
            // Unknown means refuse: a value the guard cannot see the strings of is not vouched for.
            return refuse("a " + value.getClass().getName() + " whose strings the guard cannot read");
        }

        private Decision refuse(String shown) {
            return Decision.reject(field.rule(), field.className + "." + field.fieldName + " holds " + shown + ": "
                    + field.why);
        }
    }
}
