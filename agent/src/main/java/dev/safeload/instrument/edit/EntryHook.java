package dev.safeload.instrument.edit;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One library method the agent hooks: at its entry, a call to a public static bridge method of
 * the agent, made of the values named here, and what happens with the bridge's answer. The
 * inserted code has no branch, so no stack map frame of the method changes
 * ({@link EntryHookEdit} writes it). Byte Buddy's advice would do the same, but its agent builder
 * loads about a thousand classes the first time a hooked library loads, on the host's start.
 *
 * <pre>{@code
 * EntryHook.at("weka.core.SerializationHelper", "read")
 *         .descriptor("(Ljava/lang/String;)Ljava/lang/Object;")
 *         .constant("weka").hookedMethod().argument(0).hookedClass().constant("java.io.InvalidClassException")
 *         .throwsReturned("dev.safeload.model.gate.ModelLoadGate", "check");
 * }</pre>
 *
 * @param className the hooked class's binary name ({@code a.b.C$D}), or for a hook on subtypes a
 *     package prefix ending in '.'
 * @param method the hooked method's name; never a constructor
 * @param descriptor the hooked method's JVM descriptor; or, without its {@code ')'}, how its
 *     parameter list starts ({@link Builder#firstParameter}); or null for every overload that
 *     {@code arguments} admits
 * @param arguments the hooked method's parameter count, or -1 for any
 * @param values what is pushed for the bridge, in order
 * @param outcome what the bridge's answer does
 * @param replaced the parameter {@link Outcome#REPLACE_ARGUMENT} replaces, else -1
 * @param bridgeOwner the bridge's class, binary name
 * @param bridgeMethod the bridge's name
 * @param supertype for a hook on every class under the {@code className} prefix that has this
 *     supertype (binary name) and declares the method, else null
 */
public record EntryHook(String className, String method, String descriptor, int arguments, List<Value> values,
                        Outcome outcome, int replaced, String bridgeOwner, String bridgeMethod, String supertype) {

    /**
     * One value handed to the bridge.
     *
     * @param calls no-argument instance methods called on the value in turn, each returning a
     *     reference ({@code node.getTag().getValue()}); the bridge gets the last one's answer
     * @param site an {@code invokedynamic} call site the value (after its calls) goes through, whose
     *     answer the bridge gets instead; or null
     */
    public record Value(Kind kind, String constant, int index, List<Call> calls, Site site) {
        public Value {
            calls = List.copyOf(calls);
        }

        Value(Kind kind, String constant, int index) {
            this(kind, constant, index, List.of(), null);
        }

        // Written out, as in EntryHook: a record's generated equals/hashCode bootstrap
        // java.lang.runtime.ObjectMethods, ~90 classes on the host's start.
        @Override
        public boolean equals(Object o) {
            return o instanceof Value v && kind == v.kind && Objects.equals(constant, v.constant) && index == v.index
                    && calls.equals(v.calls) && Objects.equals(site, v.site);
        }

        @Override
        public int hashCode() {
            return Objects.hash(kind, constant, index, calls, site);
        }
    }

    /**
     * An {@code invokedynamic} call site written into the hooked method: the agent's bootstrap
     * links it once, with the hooked class's own lookup, to a method handle of
     * {@code (value's type)returnType}. Code that must run on every call of a hot library method
     * (getters of the library's own types, with null checks) then costs what the library's own
     * code would, where a bridge reaching the same getters by reflection or by a handle looked up
     * per call could not be inlined. A class file older than Java 7, which cannot hold the
     * instruction, hands over -1 (an int) or null instead, for the bridge to work out itself.
     *
     * @param owner the bootstrap's class, binary name; it must be visible to the hooked class, as a bridge is
     * @param name the bootstrap: {@code public static CallSite name(Lookup, String, MethodType)}
     * @param returnType {@code I} or a reference descriptor
     */
    public record Site(String owner, String name, String returnType) {

        // Written out, as Value's are.
        @Override
        public boolean equals(Object o) {
            return o instanceof Site c && owner.equals(c.owner) && name.equals(c.name) && returnType.equals(c.returnType);
        }

        @Override
        public int hashCode() {
            return Objects.hash(owner, name, returnType);
        }
    }

    /**
     * A getter called on a value before it is handed over: it reads what a cache key holds where
     * only the bridge-free host code can reach it. Never called on null: only on {@code this} or
     * a parameter the hooked method itself dereferences first.
     *
     * @param owner the declaring class's internal name
     * @param name the method's name
     * @param descriptor {@code ()L...;}
     */
    public record Call(String owner, String name, String descriptor) {

        // Written out, as Value's are.
        @Override
        public boolean equals(Object o) {
            return o instanceof Call c && owner.equals(c.owner) && name.equals(c.name) && descriptor.equals(c.descriptor);
        }

        @Override
        public int hashCode() {
            return Objects.hash(owner, name, descriptor);
        }
    }

    /** Kinds of {@link Value}: the bridge parameter type each gives is in {@link EntryHookEdit}. */
    public enum Kind {
        /** A String constant. */
        CONSTANT,
        /** {@code owner.method} of the hooked method, as a String, with the owner's binary name. */
        HOOKED_METHOD,
        /** A parameter of the hooked method: an Object, or its own primitive type. */
        ARGUMENT,
        /** {@code this}, as an Object. */
        SELF,
        /** The hooked class, as a {@code Class}. */
        HOOKED_CLASS
    }

    /** What the bridge's answer does. */
    public enum Outcome {
        /** The bridge returns a Throwable; a non-null one is thrown from the hooked method. */
        THROW_RETURNED,
        /** The bridge returns an Object: a Throwable is thrown, anything else replaces the parameter. */
        REPLACE_ARGUMENT,
        /** The bridge returns nothing and throws by itself. */
        CALL
    }

    public EntryHook {
        values = List.copyOf(values);
    }

    /** Starts a hook on every overload of {@code method} in {@code className} (a binary name). */
    public static Builder at(String className, String method) {
        return new Builder(className, checked(method), null);
    }

    private static String checked(String method) {
        if (method.equals("<init>") || method.equals("<clinit>")) {
            throw new IllegalArgumentException("an entry hook cannot go on a constructor or initialiser: " + method);
        }
        return method;
    }

    /**
     * Starts a hook on {@code method} of every class under {@code packagePrefix} (ending in '.')
     * that has {@code supertype} among its supertypes and declares the method itself: the
     * implementations of an interface method, each engine's own. A subtype that only inherits
     * the method is not edited; its superclass is, where it declares the method.
     */
    public static Builder inSubtypes(String packagePrefix, String supertype, String method) {
        if (!packagePrefix.endsWith(".")) {
            throw new IllegalArgumentException("a package prefix ends in '.': " + packagePrefix);
        }
        return new Builder(packagePrefix, checked(method), supertype);
    }

    /** True for a hook on the subtypes of {@link #supertype} under a package prefix. */
    public boolean onSubtypes() {
        return supertype != null;
    }

    /** True when a class of this binary name is one this hook may go on (for subtypes: before the supertype test). */
    public boolean mayApplyTo(String binaryName) {
        return onSubtypes() ? binaryName.startsWith(className) : binaryName.equals(className);
    }

    /** The hooked class's internal name ({@code a/b/C$D}). */
    public String internalName() {
        return className.replace('.', '/');
    }

    /** True when this hook goes on the method {@code name} with {@code desc}. */
    public boolean matches(String name, String desc) {
        return method.equals(name)
                && (descriptor == null || (descriptor.indexOf(')') < 0 ? desc.startsWith(descriptor) : descriptor.equals(desc)))
                && (arguments < 0 || Descriptors.parameters(desc).size() == arguments);
    }

    /*
     * equals and hashCode written out (the same component-wise meaning a record generates): the
     * generated ones bootstrap java.lang.runtime.ObjectMethods at the first hook applied, about 90
     * method-handle classes and their CPU on the host's start (EntryHookEdit.Result's set).
     */
    @Override
    public boolean equals(Object o) {
        return o instanceof EntryHook h && Objects.equals(className, h.className) && Objects.equals(method, h.method)
                && Objects.equals(descriptor, h.descriptor) && arguments == h.arguments && values.equals(h.values)
                && outcome == h.outcome && replaced == h.replaced && Objects.equals(bridgeOwner, h.bridgeOwner)
                && Objects.equals(bridgeMethod, h.bridgeMethod) && Objects.equals(supertype, h.supertype);
    }

    @Override
    public int hashCode() {
        return Objects.hash(className, method, descriptor, arguments, values, outcome, replaced, bridgeOwner,
                bridgeMethod, supertype);
    }

    @Override
    public String toString() {
        return (onSubtypes() ? className + "*<:" + supertype : className) + "." + method
                + (descriptor == null ? "" : descriptor);
    }

    /** {@code int} to {@code I}, {@code byte[]} to {@code [B}, {@code a.b.C$D} to {@code La/b/C$D;}. */
    static String descriptorOf(String type) {
        if (type.endsWith("[]")) {
            return "[" + descriptorOf(type.substring(0, type.length() - 2));
        }
        return switch (type) {
            case "boolean" -> "Z";
            case "byte" -> "B";
            case "char" -> "C";
            case "short" -> "S";
            case "int" -> "I";
            case "long" -> "J";
            case "float" -> "F";
            case "double" -> "D";
            default -> "L" + type.replace('.', '/') + ";";
        };
    }

    /** Collects the values in the order the bridge takes them. */
    public static final class Builder {
        private final String className;
        private final String method;
        private String descriptor;
        private int arguments = -1;
        private final List<Value> values = new ArrayList<>();
        private final String supertype;

        private Builder(String className, String method, String supertype) {
            this.className = className;
            this.method = method;
            this.supertype = supertype;
        }

        /** Only the overload with this JVM descriptor. */
        public Builder descriptor(String jvmDescriptor) {
            this.descriptor = jvmDescriptor;
            return this;
        }

        /** Only the overloads whose first parameter is of this type: a binary name, a primitive, or {@code byte[]}. */
        public Builder firstParameter(String type) {
            this.descriptor = "(" + descriptorOf(type);
            return this;
        }

        /** Only the overloads with this many parameters. */
        public Builder arguments(int count) {
            this.arguments = count;
            return this;
        }

        public Builder constant(String value) {
            values.add(new Value(Kind.CONSTANT, value, -1));
            return this;
        }

        public Builder hookedMethod() {
            values.add(new Value(Kind.HOOKED_METHOD, null, -1));
            return this;
        }

        public Builder argument(int index) {
            values.add(new Value(Kind.ARGUMENT, null, index));
            return this;
        }

        public Builder self() {
            values.add(new Value(Kind.SELF, null, -1));
            return this;
        }

        /** Calls the no-argument getter {@code owner.name} (internal name) on the value before, handing over its answer. */
        public Builder then(String owner, String name, String descriptor) {
            Value last = values.remove(values.size() - 1);
            List<Call> calls = new ArrayList<>(last.calls());
            calls.add(new Call(owner, name, descriptor));
            values.add(new Value(last.kind(), last.constant(), last.index(), calls, last.site()));
            return this;
        }

        /**
         * Hands the value before (after its getters) through an {@code invokedynamic} call site that
         * {@code owner.name} links ({@link Site}), and its answer, an int or a reference, to the bridge.
         *
         * @param returnType {@code I}, or a reference descriptor (handed over as an Object)
         */
        public Builder through(String owner, String name, String returnType) {
            Value last = values.remove(values.size() - 1);
            values.add(new Value(last.kind(), last.constant(), last.index(), last.calls(),
                    new Site(owner, name, returnType)));
            return this;
        }

        public Builder hookedClass() {
            values.add(new Value(Kind.HOOKED_CLASS, null, -1));
            return this;
        }

        /** The bridge returns a Throwable, thrown when not null. */
        public EntryHook throwsReturned(String owner, String name) {
            return new EntryHook(className, method, descriptor, arguments, values, Outcome.THROW_RETURNED, -1, owner,
                    name, supertype);
        }

        /** The bridge returns an Object: a Throwable is thrown, anything else replaces parameter {@code index}. */
        public EntryHook replacesArgument(int index, String owner, String name) {
            return new EntryHook(className, method, descriptor, arguments, values, Outcome.REPLACE_ARGUMENT, index,
                    owner, name, supertype);
        }

        /** The bridge returns nothing; it throws by itself. */
        public EntryHook calls(String owner, String name) {
            return new EntryHook(className, method, descriptor, arguments, values, Outcome.CALL, -1, owner, name,
                    supertype);
        }
    }
}
