package dev.safeload.deser;

import java.util.ArrayDeque;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * How many objects {@code hashCode} (or {@code equals}, {@code toString}) visits through one
 * object that a document refers to again: its expanded size, the number of paths through it.
 * One for a plain object or a string; for a JDK {@code Collection} or {@code Map}, a
 * {@code Map.Entry} or an {@code Object[]}, one plus the expanded sizes of its elements (a map's
 * keys and values). A hash bomb (nested sets sharing their two children, lists holding a
 * thousand references to the list below) is a few dozen objects whose expanded size is 2^depth
 * or 1,000^levels: {@link ReferenceBudget} adds up the expanded size of every back-reference a
 * document makes, which is what the {@code ObjectInputStream} guard's {@code GraphExpansion}
 * counts from the stream, here counted on the objects themselves.
 *
 * <p>Within one walk each object is visited once (an identity map of finished sizes), so the
 * walk costs no more steps than the size it answers, and a 2^30 bomb costs sixty. Nothing is kept
 * between walks: a collection referred to while the library is still reading it grows after, and
 * an answer kept from then would undercount every later reference to it. An object met again
 * while its own walk is open (a cycle, on which {@code hashCode} overflows the stack rather than
 * spinning) counts one. Collections of classes outside the JDK count one too: iterating them
 * would run the application's code in the middle of a read.
 */
final class ReferenceExpansion {

    private ReferenceExpansion() {
    }

    /** The expanded size of {@code root}, saturating at {@code Long.MAX_VALUE}. */
    static long of(Object root) {
        return isContainer(root) ? new Expansion(false).size(root) : 1;
    }

    /**
     * For keys a pickle is about to hash one after another ({@code items[from]},
     * {@code items[from + step]}, ...): how many more objects their {@code hashCode} calls visit
     * than the pickle holds, counted by one walk that visits each object once across all the
     * keys. A tree of lists costs nothing here; keys that reach one list again, through the
     * pickle's memo, cost each extra path. Only a JDK {@code Collection} or {@code Map} (or
     * Pyrolite's {@code ClassDict}, a {@code HashMap}) is walked: an {@code Object[]}, a pickled
     * tuple, hashes by identity, and so does not recurse.
     */
    static long hashingExcess(java.util.List<?> items, int from, int step) {
        Expansion walk = new Expansion(true);
        long expanded = 0;
        for (int i = from; i < items.size(); i += step) {
            walk.steps++;
            expanded = saturatedAdd(expanded, walk.size(items.get(i)));
        }
        return Math.max(0, expanded - walk.steps);
    }

    /**
     * Walks that share what they found: each container's finished size, so that a container met
     * again, in this walk or a later one, costs one step.
     */
    private static final class Expansion {
        private final boolean hashedOnly;
        private final IdentityHashMap<Object, Long> sizes = new IdentityHashMap<>();
        private final ArrayDeque<Walk> open = new ArrayDeque<>();
        /** The elements looked at, over all walks: what the walks cost. */
        long steps;

        Expansion(boolean hashedOnly) {
            this.hashedOnly = hashedOnly;
        }

        private boolean expands(Object o) {
            return hashedOnly ? isHashedContainer(o) : isContainer(o);
        }

        /** The expanded size of {@code root}: one for what does not expand. */
        long size(Object root) {
            if (!expands(root)) {
                return 1;
            }
            Long done = sizes.get(root);
            if (done != null) {
                return done < 0 ? 1 : done;
            }
            sizes.put(root, OPEN);
            open.push(new Walk(root));
            while (true) {
                Walk walk = open.peek();
                Object child = walk.next();
                if (child == END) {
                    open.pop();
                    sizes.put(walk.node, walk.size);
                    Walk parent = open.peek();
                    if (parent == null) {
                        return walk.size;
                    }
                    parent.size = saturatedAdd(parent.size, walk.size);
                    continue;
                }
                steps++;
                if (!expands(child)) {
                    walk.size = saturatedAdd(walk.size, 1);
                    continue;
                }
                Long known = sizes.get(child);
                if (known == null) {
                    sizes.put(child, OPEN);
                    open.push(new Walk(child));
                } else {
                    walk.size = saturatedAdd(walk.size, known < 0 ? 1 : known);
                }
            }
        }
    }

    /** A JDK collection or map, or Pyrolite's {@code ClassDict}: what hashes by its contents. */
    static boolean isHashedContainer(Object o) {
        if (o == null) {
            return false;
        }
        Class<?> c = o.getClass();
        // The classes a pickle is made of, by identity first: a failed instanceof of an interface
        // scans the class's interfaces, 60 ns for a String on JDK 17.
        if (c == java.util.ArrayList.class || c == java.util.HashMap.class || c == java.util.HashSet.class) {
            return true;
        }
        if (isLeafClass(c) || c.isArray() || !(o instanceof Collection<?> || o instanceof Map<?, ?>)) {
            return false;
        }
        ClassLoader loader = c.getClassLoader();
        return loader == null || loader == PLATFORM || c.getName().equals(CLASS_DICT);
    }

    /** The values documents hold most, none a container. */
    private static boolean isLeafClass(Class<?> c) {
        return c == String.class || c == Integer.class || c == Long.class || c == Double.class || c == Boolean.class;
    }

    /** Pyrolite's dict for a pickled class instance: a {@code HashMap} that overrides no iteration. */
    private static final String CLASS_DICT = "net.razorvine.".concat("pickle.objects.ClassDict");

    /** Marks an object whose walk is open: a finished size is one or more. */
    private static final Long OPEN = -1L;
    private static final Object END = new Object();

    /** A JDK container (loaded by the boot or platform loader), or an array of references. */
    static boolean isContainer(Object o) {
        if (o instanceof Object[]) {
            return true;
        }
        if (o == null || isLeafClass(o.getClass())) {
            return false; // by identity: a failed instanceof of an interface costs 60 ns on JDK 17 (isHashedContainer)
        }
        if (!(o instanceof Collection<?> || o instanceof Map<?, ?> || o instanceof Map.Entry<?, ?>)) {
            return false;
        }
        ClassLoader loader = o.getClass().getClassLoader();
        return loader == null || loader == PLATFORM;
    }

    private static final ClassLoader PLATFORM = ClassLoader.getPlatformClassLoader();

    private static long saturatedAdd(long a, long b) {
        long sum = a + b;
        return sum < 0 ? Long.MAX_VALUE : sum;
    }

    /** One open object: its elements in turn, and the size counted so far (itself included). */
    private static final class Walk {
        final Object node;
        long size = 1;
        private Object[] array;
        private int index;
        private Iterator<?> elements;
        private Object pendingValue = END;

        Walk(Object node) {
            this.node = node;
            try {
                if (node instanceof Object[] a) {
                    array = a;
                } else if (node instanceof Map<?, ?> m) {
                    elements = m.entrySet().iterator();
                } else if (node instanceof Collection<?> c) {
                    elements = c.iterator();
                } else if (node instanceof Map.Entry<?, ?> e) {
                    array = new Object[] {e.getKey(), e.getValue()};
                }
            } catch (RuntimeException | LinkageError e) {
                // a collection the library left half-built: counted as what could be seen of it
            }
        }

        /** The next element, a map's key and then its value, or {@link #END}. */
        Object next() {
            if (pendingValue != END) {
                Object value = pendingValue;
                pendingValue = END;
                return value;
            }
            if (array != null) {
                return index < array.length ? array[index++] : END;
            }
            try {
                if (elements == null || !elements.hasNext()) {
                    return END;
                }
                Object element = elements.next();
                if (node instanceof Map<?, ?> && element instanceof Map.Entry<?, ?> entry) {
                    pendingValue = entry.getValue();
                    return entry.getKey();
                }
                return element;
            } catch (RuntimeException | LinkageError e) {
                return END; // ConcurrentModificationException and the like: what was seen counts
            }
        }
    }
}
