package dev.safeload.deser;

import dev.safeload.policy.Decision;
import dev.safeload.policy.Mode;
import dev.safeload.policy.Policy;
import dev.safeload.policy.SerialLimits;
import java.lang.invoke.CallSite;
import java.lang.invoke.ConstantCallSite;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import java.util.ArrayDeque;
import java.util.IdentityHashMap;
import java.util.List;

/**
 * The stream guard's depth and work budgets for one SnakeYAML document, judged on the composed
 * node graph before SnakeYAML constructs any object from it. An alias is the very node its
 * anchor names, so the graph is a DAG of a few dozen nodes while the objects built from it, once
 * hashed as a mapping key or a {@code !!set} element or walked by {@code toString}, are a tree of
 * 2^depth nodes: a 300-byte document with 26 aliases (each level holding the level below and an
 * alias to it) hashes for seconds inside every limit of SnakeYAML's own {@code LoaderOptions}.
 *
 * <p>Each node's expanded size (itself plus its children's, an alias counting its anchor's whole
 * size) and height are computed once, bottom up, so the walk costs one step per node and edge.
 * A document is refused under {@code serial.maxWork} when its aliases add more nodes than that
 * budget (the stream guard's, from {@code serial.maxRefs}); a document without aliases adds none
 * and is never refused for its size, which SnakeYAML's {@code codePointLimit} bounds. Its height
 * past {@code serial.maxDepth} is refused under that rule (SnakeYAML's own nesting limit, 50 by
 * default, refuses first unless the application raised it).
 */
public final class YamlDocumentBudget {

    /** A scalar's children: none, and it adds no level of nesting. */
    private static final List<Object> SCALAR = List.of();

    /** Sizes are capped here: far above any budget, far below overflow. */
    private static final long CAP = 1L << 60;

    /** How a node class is read: its children through {@code getValue()}, or {@code getRealNode()} for an anchor node. */
    private static final ClassValue<Method[]> ACCESSORS = new ClassValue<>() {
        @Override
        protected Method[] computeValue(Class<?> type) {
            return new Method[] {method(type, "getValue"), method(type, "getKeyNode"), method(type, "getValueNode"),
                    method(type, "getRealNode")};
        }
    };

    private YamlDocumentBudget() {
    }

    private static Method method(Class<?> type, String name) {
        try {
            Method m = type.getMethod(name);
            m.setAccessible(true);
            return m;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /**
     * SnakeYAML's {@code BaseConstructor.constructDocument(Node)}: once per document, before
     * anything of it is constructed.
     *
     * <p>A document whose composer met no alias of a sequence or mapping is a tree as composed:
     * its height is at most the composer's own nesting limit plus one ({@link #composedHeight}),
     * and its aliases, all of scalars, add one node each, fewer than the code points the root
     * spans ({@link #span}). When both are within the budgets no walk can refuse it, and none
     * runs: two field reads and two getters in SnakeYAML's own classes, linked there once. Every
     * other document (an alias of a collection anywhere in the composer's life, a raised nesting
     * limit past {@code serial.maxDepth}, a SnakeYAML without those fields, a composer subclass)
     * is walked as before.
     *
     * @param root the document's root node
     * @param composedHeight {@link #composedHeight}'s answer for the constructor, or {@link #UNKNOWN}
     * @param span {@link #span}'s answer for the root, or {@link #UNKNOWN}
     * @return the exception to throw, or null
     */
    public static Throwable checkDocument(String library, String entryPoint, Object root, int composedHeight,
                                          int span, Class<?> hooked, String exceptionType) {
        DeserializerGate gate = DeserializerGate.installed();
        if (gate == null || root == null) {
            return null;
        }
        Policy p = gate.policy();
        if (p.mode() == Mode.OFF) {
            return null;
        }
        DocumentReads.begin(library);
        SerialLimits limits = p.serial().limits();
        long maxWork = limits.maxWork();
        if (composedHeight >= 0 && composedHeight <= limits.maxDepth() && span >= 0 && span <= maxWork) {
            return null; // a tree no deeper than the composer allows, and too short for its scalar aliases to matter
        }
        long quick = treeHeight(root, Math.min(maxWork, QUICK_NODES));
        if (quick >= 0 && quick <= limits.maxDepth()) {
            return null; // within both budgets, by the cheap walk
        }
        Measure m = measure(root);
        Decision refusal = null;
        if (m.height > limits.maxDepth()) {
            refusal = Decision.reject("serial.maxDepth", "this document nests " + m.height
                    + " levels deep, counting through aliases; the limit is " + limits.maxDepth());
        } else if (m.expanded - m.distinct > maxWork) {
            refusal = Decision.reject("serial.maxWork", "this document's aliases expand its " + m.distinct
                    + " nodes to " + (m.expanded >= CAP ? "more than 2^60" : String.valueOf(m.expanded))
                    + "; they may add at most " + maxWork);
        }
        return refusal == null ? null
                : DeserializerGate.refuse(refusal, library, entryPoint, root.getClass().getName(), -1, hooked,
                        exceptionType);
    }

    /** What {@link #composedHeight} and {@link #span} answer when they cannot bound the document. */
    public static final int UNKNOWN = -1;

    /**
     * The bootstrap of a call site in SnakeYAML's {@code BaseConstructor} (the hook's {@code this},
     * linked with that class's lookup): the height the constructor's composer bounds the document
     * to, {@code nestingDepthLimit + 1}, while that composer is a plain {@code Composer} that has
     * met no alias of a sequence or mapping ({@code nonScalarAliasesCount == 0}, counted over its
     * whole life, so one such alias in any of {@code loadAll}'s documents walks every later one);
     * else {@link #UNKNOWN}. The composer counts a level at every node it composes and refuses
     * one more than its limit, so a tree it composed is at most that limit plus one collections
     * deep. Where SnakeYAML lacks those fields (before 1.32) the site answers {@link #UNKNOWN}.
     *
     * @param type {@code (BaseConstructor)int}
     */
    public static CallSite composedHeight(MethodHandles.Lookup caller, String name, MethodType type) {
        Class<?> constructor = type.parameterType(0);
        MethodHandle target;
        try {
            java.lang.reflect.Field field = null;
            for (Class<?> c = constructor; c != null && field == null; c = c.getSuperclass()) {
                if (c.getName().equals(BASE_CONSTRUCTOR)) {
                    field = c.getDeclaredField("composer");
                }
            }
            if (field == null || type.returnType() != int.class) {
                throw new NoSuchFieldException("composer");
            }
            Class<?> composer = field.getType();
            MethodHandles.Lookup inComposer = MethodHandles.privateLookupIn(composer, caller);
            MethodHandle aliases = inComposer.findGetter(composer, "nonScalarAliasesCount", int.class);
            MethodHandle limit = inComposer.findGetter(composer, "nestingDepthLimit", int.class);
            MethodHandle exact = MethodHandles.insertArguments(MethodHandles.lookup().findStatic(YamlDocumentBudget.class,
                    "isExactly", MethodType.methodType(boolean.class, Class.class, Object.class)), 0, composer)
                    .asType(MethodType.methodType(boolean.class, composer));
            MethodHandle bound = MethodHandles.lookup().findStatic(YamlDocumentBudget.class, "heightBound",
                    MethodType.methodType(int.class, boolean.class, int.class, int.class));
            // (Composer)int: heightBound(isExactly(c), c.nonScalarAliasesCount, c.nestingDepthLimit)
            MethodHandle fromComposer = MethodHandles.permuteArguments(
                    MethodHandles.filterArguments(bound, 0, exact, aliases, limit),
                    MethodType.methodType(int.class, composer), 0, 0, 0);
            target = MethodHandles.filterArguments(unknownIfNull(fromComposer), 0, caller.unreflectGetter(field))
                    .asType(type);
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            target = MethodHandles.dropArguments(MethodHandles.constant(int.class, UNKNOWN), 0, constructor).asType(type);
        }
        return new ConstantCallSite(target);
    }

    /**
     * The bootstrap of a call site on the root node ({@code constructDocument}'s parameter): how
     * many code points its text spans, {@code getEndMark().getIndex() - getStartMark().getIndex()},
     * or {@link #UNKNOWN} without marks. Every alias of the document lies in that text and takes at
     * least two of them ({@code *a}).
     *
     * @param type {@code (Node)int}
     */
    public static CallSite span(MethodHandles.Lookup caller, String name, MethodType type) {
        Class<?> node = type.parameterType(0);
        MethodHandle target;
        try {
            java.lang.reflect.Method start = node.getMethod("getStartMark");
            java.lang.reflect.Method end = node.getMethod("getEndMark");
            Class<?> mark = start.getReturnType();
            java.lang.reflect.Method index = mark.getMethod("getIndex");
            if (end.getReturnType() != mark || index.getReturnType() != int.class || type.returnType() != int.class) {
                throw new NoSuchMethodException("getIndex() is not an int");
            }
            MethodHandle markIndex = unknownIfNull(caller.unreflect(index));
            MethodHandle startIndex = MethodHandles.filterArguments(markIndex, 0, caller.unreflect(start));
            MethodHandle endIndex = MethodHandles.filterArguments(markIndex, 0, caller.unreflect(end));
            MethodHandle between = MethodHandles.lookup().findStatic(YamlDocumentBudget.class, "between",
                    MethodType.methodType(int.class, int.class, int.class));
            MethodHandle fromNode = MethodHandles.permuteArguments(
                    MethodHandles.filterArguments(between, 0, startIndex, endIndex),
                    MethodType.methodType(int.class, node), 0, 0);
            target = unknownIfNull(fromNode).asType(type);
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            target = MethodHandles.dropArguments(MethodHandles.constant(int.class, UNKNOWN), 0, node).asType(type);
        }
        return new ConstantCallSite(target);
    }

    /** Built at run time, as the agent's other library names are. */
    private static final String BASE_CONSTRUCTOR = "org.yaml.".concat("snakeyaml.constructor.BaseConstructor");

    private static boolean isExactly(Class<?> type, Object o) {
        return o.getClass() == type;
    }

    /** {@link #composedHeight}'s answer from the composer's fields. */
    private static int heightBound(boolean plainComposer, int nonScalarAliases, int nestingDepthLimit) {
        return plainComposer && nonScalarAliases == 0 && nestingDepthLimit >= 0 && nestingDepthLimit < Integer.MAX_VALUE
                ? nestingDepthLimit + 1 : UNKNOWN;
    }

    /** {@link #span}'s answer from two mark indexes. */
    private static int between(int start, int end) {
        return start >= 0 && end >= start ? end - start : UNKNOWN;
    }

    /** {@code (T)int} that answers {@link #UNKNOWN} for a null T instead of calling {@code target}. */
    private static MethodHandle unknownIfNull(MethodHandle target) throws ReflectiveOperationException {
        Class<?> receiver = target.type().parameterType(0);
        MethodHandle isNull = MethodHandles.lookup().findStatic(java.util.Objects.class, "isNull",
                MethodType.methodType(boolean.class, Object.class)).asType(MethodType.methodType(boolean.class, receiver));
        return MethodHandles.guardWithTest(isNull,
                MethodHandles.dropArguments(MethodHandles.constant(int.class, UNKNOWN), 0, receiver), target);
    }

    /** The most nodes {@link #treeHeight} walks before it leaves a document to {@link #measure}. */
    static final long QUICK_NODES = 10_000;

    private static final Object[] NO_ARGUMENTS = {};

    /**
     * The document's height as {@link #measure} counts it, by walking it as a tree (an alias
     * walked again each time), or -1 once more than {@code limit} nodes were walked (a recursive
     * anchor among them). A document walked whole within {@code limit} nodes, where {@code limit}
     * is at most {@code serial.maxWork}, cannot exceed that budget: its aliases add fewer nodes
     * than the walk met. No identity map and no object per node, as {@link #measure} needs: the
     * benign document of every load takes this walk alone.
     */
    static long treeHeight(Object root, long limit) {
        TreeWalk walk = new TreeWalk();
        walk.push(root, 0);
        long walked = 0;
        long height = 0;
        while (walk.top > 0) {
            int level = walk.levels[--walk.top];
            Object node = walk.nodes[walk.top];
            walk.nodes[walk.top] = null;
            if (++walked > limit) {
                return -1;
            }
            Method[] a = ACCESSORS.get(node.getClass());
            try {
                if (a[3] != null) { // an anchor node: one level above its real node, as measure counts it
                    height = Math.max(height, level + 1);
                    walk.push(a[3].invoke(node, NO_ARGUMENTS), level + 1);
                    continue;
                }
                Object value = a[0] == null ? null : a[0].invoke(node, NO_ARGUMENTS);
                if (!(value instanceof List<?> items)) {
                    height = Math.max(height, level); // a scalar adds no level
                    continue;
                }
                height = Math.max(height, level + 1);
                for (Object item : items) {
                    if (item == null) {
                        continue;
                    }
                    Method[] t = ACCESSORS.get(item.getClass());
                    if (t[1] != null && t[2] != null) { // a NodeTuple
                        walk.push(t[1].invoke(item, NO_ARGUMENTS), level + 1);
                        walk.push(t[2].invoke(item, NO_ARGUMENTS), level + 1);
                    } else {
                        walk.push(item, level + 1);
                    }
                }
            } catch (ReflectiveOperationException | RuntimeException e) {
                return -1; // a node shaped otherwise: the exact walk decides
            }
        }
        return height;
    }

    /** The nodes still to walk and the levels above each: two arrays, grown as needed, for the whole walk. */
    private static final class TreeWalk {
        Object[] nodes = new Object[32];
        int[] levels = new int[32];
        int top;

        void push(Object node, int level) {
            if (node == null) {
                return;
            }
            if (top == nodes.length) {
                nodes = java.util.Arrays.copyOf(nodes, top * 2);
                levels = java.util.Arrays.copyOf(levels, top * 2);
            }
            nodes[top] = node;
            levels[top++] = level;
        }
    }

    /** One document's numbers: distinct nodes, nodes with every alias expanded, height in nodes. */
    record Measure(long distinct, long expanded, long height) {
    }

    /**
     * Post-order over the node graph without recursion (a raised nesting limit must not make the
     * check overflow the stack). A node reached again while it is still open (a recursive
     * anchor, which SnakeYAML allows) counts as one node. Height counts sequences and mappings,
     * not the scalars at the leaves.
     */
    static Measure measure(Object root) {
        IdentityHashMap<Object, long[]> done = new IdentityHashMap<>(); // node -> {expanded, height}; {-1,-1} while open
        ArrayDeque<Object[]> stack = new ArrayDeque<>(); // {node, children, next child index}
        stack.push(new Object[] {root, null, 0});
        done.put(root, new long[] {-1, -1});
        while (!stack.isEmpty()) {
            Object[] top = stack.peek();
            if (top[1] == null) {
                List<Object> children = children(top[0]);
                top[1] = children == null ? SCALAR : children;
            }
            List<?> children = (List<?>) top[1];
            int next = (Integer) top[2];
            if (next < children.size()) {
                top[2] = next + 1;
                Object child = children.get(next);
                if (!done.containsKey(child)) { // open only while on the path: a node met again later is done
                    done.put(child, new long[] {-1, -1});
                    stack.push(new Object[] {child, null, 0});
                }
                continue;
            }
            stack.pop();
            long size = 1;
            long height = 0;
            for (Object child : children) {
                long[] c = done.get(child);
                size = Math.min(CAP, size + (c[0] < 0 ? 1 : c[0]));
                height = Math.max(height, c[1] < 0 ? 0 : c[1]);
            }
            long[] own = done.get(top[0]);
            own[0] = size;
            own[1] = children == SCALAR ? 0 : height + 1;
        }
        long[] r = done.get(root);
        return new Measure(done.size(), r[0], r[1]);
    }

    /**
     * A node's child nodes: a sequence's items, a mapping's keys and values (through its
     * {@code NodeTuple}s), an anchor node's real node; null for a scalar.
     */
    private static List<Object> children(Object node) {
        Method[] a = ACCESSORS.get(node.getClass());
        try {
            if (a[3] != null) {
                Object real = a[3].invoke(node);
                return real == null ? List.of() : List.of(real);
            }
            Object value = a[0] == null ? null : a[0].invoke(node);
            if (!(value instanceof List<?> items)) {
                return null; // a scalar's String
            }
            java.util.ArrayList<Object> out = new java.util.ArrayList<>(items.size());
            for (Object item : items) {
                if (item == null) {
                    continue;
                }
                Method[] t = ACCESSORS.get(item.getClass());
                if (t[1] != null && t[2] != null) { // a NodeTuple
                    Object key = t[1].invoke(item);
                    Object val = t[2].invoke(item);
                    if (key != null) {
                        out.add(key);
                    }
                    if (val != null) {
                        out.add(val);
                    }
                } else {
                    out.add(item);
                }
            }
            return out;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return List.of(); // a node shaped otherwise is left to SnakeYAML's own limits
        }
    }

    /**
     * {@code BaseConstructor.constructObject(Node)}: one more node is about to be constructed, and
     * the document's CPU is sampled ({@link ReferenceBudget#objectRead}). Keys with one hash code
     * (two-item sequences {@code [x, c - 31x]}) cost each insertion into the mapping a walk past
     * every earlier key: 8,000 of them, 146 KB, took SnakeYAML 2.4 1.4 s, with no alias in sight.
     * Null means go on.
     */
    public static Throwable objectRead(String library, String entryPoint, Object constructor, Object node,
                                       Class<?> hooked, String exceptionType) {
        if (DeserializerGate.installed() == null) {
            return null;
        }
        return ReferenceBudget.of(constructor).objectRead(node == null ? "null" : node.getClass(),
                ReferenceBudget.NANOS_PER_OBJECT, library, entryPoint, hooked, exceptionType);
    }
}
