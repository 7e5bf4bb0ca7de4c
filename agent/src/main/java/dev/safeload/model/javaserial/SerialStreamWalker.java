package dev.safeload.model.javaserial;

import static java.io.ObjectStreamConstants.SC_BLOCK_DATA;
import static java.io.ObjectStreamConstants.SC_ENUM;
import static java.io.ObjectStreamConstants.SC_EXTERNALIZABLE;
import static java.io.ObjectStreamConstants.SC_SERIALIZABLE;
import static java.io.ObjectStreamConstants.SC_WRITE_METHOD;
import static java.io.ObjectStreamConstants.STREAM_MAGIC;
import static java.io.ObjectStreamConstants.STREAM_VERSION;
import static java.io.ObjectStreamConstants.TC_ARRAY;
import static java.io.ObjectStreamConstants.TC_BLOCKDATA;
import static java.io.ObjectStreamConstants.TC_BLOCKDATALONG;
import static java.io.ObjectStreamConstants.TC_CLASS;
import static java.io.ObjectStreamConstants.TC_CLASSDESC;
import static java.io.ObjectStreamConstants.TC_ENDBLOCKDATA;
import static java.io.ObjectStreamConstants.TC_ENUM;
import static java.io.ObjectStreamConstants.TC_EXCEPTION;
import static java.io.ObjectStreamConstants.TC_LONGSTRING;
import static java.io.ObjectStreamConstants.TC_NULL;
import static java.io.ObjectStreamConstants.TC_OBJECT;
import static java.io.ObjectStreamConstants.TC_PROXYCLASSDESC;
import static java.io.ObjectStreamConstants.TC_REFERENCE;
import static java.io.ObjectStreamConstants.TC_RESET;
import static java.io.ObjectStreamConstants.TC_STRING;
import static java.io.ObjectStreamConstants.baseWireHandle;

import dev.safeload.model.Finding;
import dev.safeload.model.ModelSource;
import dev.safeload.model.Severity;
import dev.safeload.policy.Decision;
import dev.safeload.policy.EnumProof;
import dev.safeload.policy.SerialLimits;
import dev.safeload.policy.SerialPolicy;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Walks a Java serialization stream by its grammar (Java Object Serialization Specification,
 * chapter 6) without creating a single object, and asks the serialization policy about every
 * class descriptor and proxy interface, as the agent would when the stream is read for real.
 *
 * <p>Class data is laid out from the descriptors: field values, then, for classes written by a
 * {@code writeObject} method, annotations up to {@code TC_ENDBLOCKDATA}. That follows every
 * {@code writeObject} that starts with {@code defaultWriteObject} or {@code writeFields}, which
 * the specification asks of them. Data with no knowable layout (protocol-1 externalizable
 * objects) ends the walk with a blocking finding instead of a guess.
 */
final class SerialStreamWalker {

    /** Java recursion for nested objects; deeper streams are refused whatever the policy says. */
    static final long HARD_MAX_DEPTH = 1_000;
    private static final int MAX_FINDINGS = 64;

    /** Stands in the handle table for everything that is not a descriptor or a string. */
    private static final Object OBJECT = new Object();
    /** Stands for a string over 64 KB, which the walker skips instead of decoding. */
    private static final String LONG_STRING = new String("");

    private final StreamBytes in;
    private final SerialPolicy policy;
    private final SerialLimits limits;
    private final String name;
    private final long maxDepth;
    private final List<Object> handles = new ArrayList<>();
    private final List<Finding> findings = new ArrayList<>();
    private final Set<String> reported = new HashSet<>();
    private long handleCount;
    /** The field whose value is being read, when its strings are code or paths; else null. */
    private CodeBearingField inspected;
    /** The first handle assigned inside the inspected field's value. */
    private int inspectedFrom;
    private int lastReference;

    private SerialStreamWalker(ModelSource source, SerialPolicy policy) throws IOException {
        this.policy = policy;
        this.limits = policy.limits();
        this.in = new StreamBytes(source, limits.maxBytes());
        this.name = source.name();
        this.maxDepth = Math.min(limits.maxDepth(), HARD_MAX_DEPTH);
    }

    static List<Finding> walk(ModelSource source, SerialPolicy policy) throws IOException {
        SerialStreamWalker walker = new SerialStreamWalker(source, policy);
        try {
            walker.stream();
        } catch (WriteAborted aborted) {
            // The reader stops here too; everything it would have read has been checked.
        } catch (StreamStop stop) {
            walker.findings.add(new Finding(stop.rule, Severity.HIGH, walker.name + "@" + stop.offset,
                    stop.getMessage()));
        }
        return walker.findings;
    }

    private void stream() throws IOException {
        if (in.u16() != (STREAM_MAGIC & 0xFFFF) || in.u16() != STREAM_VERSION) {
            throw stop("serial.malformed", "not a serialization stream (AC ED 00 05)");
        }
        while (!in.atEnd()) {
            int tc = in.peek();
            if (tc == TC_BLOCKDATA || tc == TC_BLOCKDATALONG) {
                blockData();
            } else if (tc == TC_RESET) {
                in.u8();
                handles.clear();
            } else {
                object(1);
            }
        }
    }

    /** One {@code object} production; returns the descriptor or string read, or a marker. */
    private Object object(int depth) throws IOException {
        if (depth > maxDepth) {
            throw stop("serial.limit.depth", "objects nest deeper than " + maxDepth
                    + (maxDepth < limits.maxDepth() ? " (the scanner's own limit)" : " (serial.maxDepth)"));
        }
        long at = in.position();
        int tc = in.u8();
        switch (tc) {
            case TC_NULL:
                return null;
            case TC_REFERENCE:
                return inspected == null ? reference() : inspectedReference();
            case TC_CLASSDESC:
            case TC_PROXYCLASSDESC:
                return tc == TC_CLASSDESC ? newClassDesc(depth) : newProxyDesc(depth);
            case TC_OBJECT:
                newObject(depth);
                return OBJECT;
            case TC_STRING: {
                String s = in.utf();
                assign(s);
                inspect(s);
                return s;
            }
            case TC_LONGSTRING: {
                long length = in.s64();
                in.skip(length);
                assign(LONG_STRING);
                inspect(null);
                return LONG_STRING;
            }
            case TC_ARRAY:
                array(depth);
                return OBJECT;
            case TC_ENUM:
                enumConstant(depth);
                return OBJECT;
            case TC_CLASS: {
                classDesc(depth);
                assign(OBJECT);
                return OBJECT;
            }
            case TC_RESET:
                throw stop("serial.malformed", "reset inside an object");
            case TC_EXCEPTION:
                // The writer failed: ObjectInputStream rebuilds the exception it wrote, with a
                // fresh handle table, then abandons the stream. Nothing after it is ever read.
                handles.clear();
                object(depth + 1);
                throw new WriteAborted();
            case TC_BLOCKDATA:
            case TC_BLOCKDATALONG:
            case TC_ENDBLOCKDATA:
                throw new StreamStop("serial.malformed", at, "block data where an object belongs");
            default:
                throw new StreamStop("serial.malformed", at, String.format("unknown type code 0x%02X", tc));
        }
    }

    /**
     * A back-reference inside a {@link CodeBearingField}'s value: a string is judged like one
     * written in place; an object read before the field began (a File or an Object[][] planted
     * in an earlier field) had its strings read unwatched, so it cannot be vouched for.
     */
    private Object inspectedReference() throws IOException {
        Object target = reference();
        if (target instanceof String s) {
            inspect(s == LONG_STRING ? null : s);
        } else if (target == OBJECT && lastReference < inspectedFrom) {
            inspect(null, "a back-reference to an object read before the field, whose strings were not checked");
        }
        return target;
    }

    private Object reference() throws IOException {
        long handle = (in.s32() & 0xFFFFFFFFL) - baseWireHandle;
        if (handle < 0 || handle >= handles.size()) {
            throw stop("serial.malformed", "reference to handle " + handle + " that does not exist");
        }
        lastReference = (int) handle;
        return handles.get((int) handle);
    }

    /** A {@code classDesc}: a new descriptor, a reference to one, or null. */
    private ClassDesc classDesc(int depth) throws IOException {
        int tc = in.peek();
        if (tc != TC_CLASSDESC && tc != TC_PROXYCLASSDESC && tc != TC_NULL && tc != TC_REFERENCE) {
            throw stop("serial.malformed", String.format("type code 0x%02X where a class descriptor belongs", tc));
        }
        Object desc = object(depth);
        if (desc != null && !(desc instanceof ClassDesc)) {
            throw stop("serial.malformed", "reference to something other than a class descriptor");
        }
        return (ClassDesc) desc;
    }

    private ClassDesc newClassDesc(int depth) throws IOException {
        String className = in.utf();
        in.s64(); // serialVersionUID
        int handle = assign(null);
        int flags = in.u8();
        int count = in.u16();
        if (count > 0x7FFF) {
            throw stop("serial.malformed", "negative field count in " + className);
        }
        checkClass(className, (flags & SC_ENUM) != 0);
        List<ClassDesc.Field> fields = new ArrayList<>(count);
        boolean sawObject = false;
        for (int i = 0; i < count; i++) {
            char type = (char) in.u8();
            String fieldName = in.utf();
            ClassDesc.Field field = new ClassDesc.Field(type, fieldName);
            if (type == 'L' || type == '[') {
                sawObject = true;
                Object signature = typeString(depth + 1);
                if (!(signature instanceof String)) {
                    throw stop("serial.malformed", "field " + className + "." + fieldName + " has no type string");
                }
            } else if (field.primitiveSize() == 0) {
                throw stop("serial.malformed", "field " + className + "." + fieldName + " has type code '"
                        + type + "'");
            } else if (sawObject) {
                // ObjectStreamClass.computeFieldOffsets refuses the same: "illegal field order".
                throw stop("serial.malformed", "primitive field after an object field in " + className);
            }
            fields.add(field);
        }
        annotation(depth);
        ClassDesc superDesc = classDesc(depth + 1);
        ClassDesc desc = new ClassDesc(className, flags, List.copyOf(fields), superDesc);
        if (handle >= 0) {
            handles.set(handle, desc);
        }
        return desc;
    }

    /**
     * A field's type string ({@code Ljava/lang/String;}): part of a descriptor, never of a value
     * under inspection. Only it is exempt: a descriptor's annotation inside an inspected value is
     * inspected, since an object planted there can be referenced from the value.
     */
    private Object typeString(int depth) throws IOException {
        CodeBearingField outer = inspected;
        inspected = null;
        try {
            return object(depth);
        } finally {
            inspected = outer;
        }
    }

    private ClassDesc newProxyDesc(int depth) throws IOException {
        int handle = assign(null);
        int count = in.s32();
        if (count < 0 || count > 65_535) {
            throw stop("serial.malformed", "proxy class with " + count + " interfaces");
        }
        for (int i = 0; i < count; i++) {
            checkClass(in.utf(), false);
        }
        annotation(depth);
        ClassDesc superDesc = classDesc(depth + 1);
        ClassDesc desc = new ClassDesc(null, SC_SERIALIZABLE, List.of(), superDesc);
        if (handle >= 0) {
            handles.set(handle, desc);
        }
        return desc;
    }

    private void newObject(int depth) throws IOException {
        ClassDesc desc = classDesc(depth);
        if (desc == null) {
            throw stop("serial.malformed", "object without a class descriptor");
        }
        assign(OBJECT);
        if ((desc.flags() & SC_EXTERNALIZABLE) != 0) {
            if ((desc.flags() & SC_BLOCK_DATA) == 0) {
                throw stop("serial.layout", desc.displayName() + " was written by writeExternal in protocol 1,"
                        + " whose data has no layout a scanner can follow");
            }
            annotation(depth);
            return;
        }
        List<ClassDesc> chain = new ArrayList<>();
        for (ClassDesc d = desc; d != null; d = d.superDesc()) {
            if (chain.size() > maxDepth) {
                throw stop("serial.limit.depth", "class hierarchy deeper than " + maxDepth);
            }
            chain.add(d);
        }
        for (int i = chain.size() - 1; i >= 0; i--) {
            ClassDesc d = chain.get(i);
            if ((d.flags() & SC_SERIALIZABLE) == 0) {
                throw stop("serial.layout", d.displayName() + " has class data but is neither serializable"
                        + " nor externalizable");
            }
            fieldValues(d, depth);
            if ((d.flags() & SC_WRITE_METHOD) != 0) {
                annotation(depth);
            }
        }
    }

    private void fieldValues(ClassDesc desc, int depth) throws IOException {
        long primitives = 0;
        for (ClassDesc.Field field : desc.fields()) {
            primitives += field.primitiveSize();
        }
        in.skip(primitives);
        for (ClassDesc.Field field : desc.fields()) {
            if (field.primitiveSize() == 0) {
                CodeBearingField rule = CodeBearingField.of(desc.name(), field.name());
                if (rule == null) {
                    object(depth + 1);
                    continue;
                }
                // Everything inside the value counts: CostMatrix keeps its cells in an Object[][],
                // SerializedClassifier its path inside a java.io.File.
                CodeBearingField outer = inspected;
                int outerFrom = inspectedFrom;
                inspected = rule;
                inspectedFrom = handles.size();
                try {
                    object(depth + 1);
                } finally {
                    inspected = outer;
                    inspectedFrom = outerFrom;
                }
            }
        }
    }

    private void array(int depth) throws IOException {
        ClassDesc desc = classDesc(depth);
        if (desc == null || desc.name() == null || desc.name().length() < 2 || desc.name().charAt(0) != '[') {
            throw stop("serial.malformed", "array whose descriptor is not an array class");
        }
        assign(OBJECT);
        int length = in.s32();
        if (length < 0) {
            throw stop("serial.malformed", "array of negative length " + length);
        }
        if (length > limits.maxArray()) {
            throw stop("serial.limit.array", "array of " + length + " elements exceeds serial.maxArray = "
                    + limits.maxArray());
        }
        char component = desc.name().charAt(1);
        int width = new ClassDesc.Field(component, "").primitiveSize();
        if (width > 0) {
            in.skip((long) length * width);
        } else if (component == 'L' || component == '[') {
            if (length > in.remaining()) {
                throw stop("serial.truncated", "array of " + length + " objects is longer than the stream");
            }
            for (int i = 0; i < length; i++) {
                object(depth + 1);
            }
        } else {
            throw stop("serial.malformed", "array class " + desc.name() + " has no valid component type");
        }
    }

    private void enumConstant(int depth) throws IOException {
        ClassDesc desc = classDesc(depth);
        if (desc == null || (desc.flags() & SC_ENUM) == 0) {
            throw stop("serial.malformed", "enum constant of a class not marked as an enum");
        }
        assign(OBJECT);
        Object constant = object(depth + 1);
        if (!(constant instanceof String)) {
            throw stop("serial.malformed", "enum constant of " + desc.displayName() + " has no name");
        }
    }

    /** {@code classAnnotation} or {@code objectAnnotation}: contents up to {@code TC_ENDBLOCKDATA}. */
    private void annotation(int depth) throws IOException {
        while (true) {
            int tc = in.peek();
            if (tc == TC_ENDBLOCKDATA) {
                in.u8();
                return;
            }
            if (tc == TC_BLOCKDATA || tc == TC_BLOCKDATALONG) {
                blockData();
            } else {
                object(depth + 1);
            }
        }
    }

    private void blockData() throws IOException {
        int tc = in.u8();
        long length = tc == TC_BLOCKDATA ? in.u8() : in.s32();
        if (length < 0) {
            throw stop("serial.malformed", "block data of negative length");
        }
        in.skip(length);
    }

    /** Records the class name's decision; a refusal is a finding naming the class. */
    private void checkClass(String className, boolean enumFlag) {
        Decision decision = policy.decideName(className);
        if (enumFlag && decision == SerialPolicy.NOT_ALLOWED && EnumProof.isEnum(className,
                Thread.currentThread().getContextClassLoader(), ClassLoader.getSystemClassLoader())) {
            // The flag alone proves nothing: a loader that initialises what it resolves (Weka's)
            // would run any class's static initialiser on the writer's word.
            decision = Decision.UNDECIDED;
        }
        if (decision.allowed() || !reported.add(className) || findings.size() >= MAX_FINDINGS) {
            return;
        }
        String where = name + "@" + in.position();
        if (decision.rejected()) {
            findings.add(new Finding("serial.class", Severity.HIGH, where, "class " + className
                    + " is refused by " + decision.rule() + (decision.detail().isEmpty() ? ""
                            : " (" + decision.detail() + ")")));
        } else {
            findings.add(new Finding("serial.enum", Severity.INFO, where, "enum " + className + " matches no"
                    + " pattern; the agent allows it only if it resolves to a real enum class"));
        }
    }

    /**
     * A string read inside the value of a {@link CodeBearingField}: a finding unless the field's
     * rule admits it. Null is a string too long to decode, which no rule admits.
     */
    private void inspect(String value) {
        inspect(value, value == null ? "a string over 64 KB" : null);
    }

    private void inspect(String value, String unreadable) {
        CodeBearingField field = inspected;
        if (field == null || (unreadable == null && field.admits(value)) || findings.size() >= MAX_FINDINGS) {
            return;
        }
        String shown = unreadable != null ? unreadable
                : "\"" + (value.length() > 120 ? value.substring(0, 120) + "..." : value) + "\"";
        if (reported.add(field.name() + "\0" + shown)) {
            findings.add(new Finding(field.rule(), Severity.HIGH, name + "@" + in.position(), field.className + "."
                    + field.fieldName + " holds " + shown + ": " + field.why));
        }
    }

    /** Assigns the next handle; returns its index in the table. */
    private int assign(Object value) throws StreamStop {
        if (++handleCount > limits.maxRefs()) {
            throw stop("serial.limit.refs", "more than serial.maxRefs = " + limits.maxRefs() + " objects");
        }
        handles.add(value);
        return handles.size() - 1;
    }

    private StreamStop stop(String rule, String message) {
        return new StreamStop(rule, in.position(), message);
    }

    /** The stream holds a writer's fatal exception; readers stop after rebuilding it. */
    private static final class WriteAborted extends IOException {
        WriteAborted() {
            super("writing aborted", null);
        }
    }
}
