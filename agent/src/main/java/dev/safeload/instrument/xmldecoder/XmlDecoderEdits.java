package dev.safeload.instrument.xmldecoder;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.FieldVisitor;
import net.bytebuddy.jar.asm.Label;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.jar.asm.Type;

/**
 * The agent's hooks in {@code java.beans.XMLDecoder}'s handlers ({@code com.sun.beans.decoder},
 * java.desktop), as plain ASM edits like {@code JdkHooks}: java.desktop is loaded by the boot
 * loader and cannot see agent classes, so each edit hands an {@code Object[]} of what it sees to
 * the JVM-wide filter factory as a {@code java.util.function.Consumer} (the agent's
 * {@code SerialGate}, which passes it to {@link XmlDecoderCheckpoint}); the checkpoint throws to
 * refuse. Every branch target gets an explicit stack map frame (java.desktop is not verified by
 * default; {@code XmlDecoderTest} runs with {@code -XX:+BytecodeVerificationLocal}), and the
 * writer computes nothing, so the untouched methods stay byte for byte. One table, {@link Site},
 * names every edit; the handlers load only when a JVM first decodes XML with XMLDecoder.
 *
 * <ul>
 *   <li>{@code DocumentHandler.findClass}: every class name a document gives ({@code class}
 *       attributes of object, new, array, field and java elements; {@code <class>} elements),
 *       before {@code ClassFinder} loads it.</li>
 *   <li>{@code ObjectElementHandler.getValueObject}: right after it builds the
 *       {@code Expression(target, name, args)} that it then evaluates: every constructor, method
 *       and property call of {@code <object>} and {@code <void>} elements, with the document
 *       ({@code getOwner()}) whose {@code serial.maxWork} budget its arguments spend.</li>
 *   <li>{@code MethodElementHandler.getValueObject}: a {@code <method name=...>} element's call,
 *       its arguments and document likewise.</li>
 *   <li>{@code FieldElementHandler.getFieldValue/setFieldValue}: field reads and writes (also
 *       {@code field} attributes of {@code <object>}).</li>
 *   <li>{@code PropertyElementHandler.getPropertyValue/setPropertyValue}: {@code <property>} elements.</li>
 *   <li>{@code ArrayElementHandler.getValueObject}: an array's length before it is allocated.</li>
 * </ul>
 */
public final class XmlDecoderEdits {

    private static final String PACKAGE = "com/sun/beans/decoder/";
    private static final String CONSUMER = "java/util/function/Consumer";
    private static final String CONFIG = "java/io/ObjectInputFilter$Config";
    private static final String OBJECT = "java/lang/Object";
    private static final String EXPRESSION = "java/beans/Expression";
    private static final String VALUE_OF_CLASS_ARGS = "(Ljava/lang/Class;[Ljava/lang/Object;)L" + PACKAGE + "ValueObject;";

    /**
     * One value the edit puts in the array: a string, a parameter's slot, a field of this, or what
     * a no-argument getter of this returns ({@code field} its name, {@code returns} its type).
     */
    private record Push(String constant, int slot, String field, String fieldDescriptor, String returns) {
        static Push site(String name) {
            return new Push(name, -1, null, null, null);
        }

        static Push local(int slot) {
            return new Push(null, slot, null, null, null);
        }

        static Push field(String name, String descriptor) {
            return new Push(null, -1, name, descriptor, null);
        }

        /** {@code getContextBean()}: the object an element acts on, as the original code asks for it first. */
        static Push contextBean() {
            return new Push(null, -1, "getContextBean", null, "Ljava/lang/Object;");
        }

        /** {@code getOwner()}: the document's {@code DocumentHandler}, one per decoder, whose budget a call spends. */
        static Push document() {
            return new Push(null, -1, "getOwner", null, "L" + PACKAGE + "DocumentHandler;");
        }
    }

    /** Every edited method: where it is, and what it hands to the checkpoint. */
    private enum Site {
        FIND_CLASS("DocumentHandler", "findClass", "(Ljava/lang/String;)Ljava/lang/Class;",
                Push.site(XmlDecoderCheckpoint.CLASS), Push.local(1)),
        EXPRESSION_CALL("ObjectElementHandler", "getValueObject", VALUE_OF_CLASS_ARGS,
                Push.site(XmlDecoderCheckpoint.EXPRESSION), Push.document()),
        METHOD_CALL("MethodElementHandler", "getValueObject", VALUE_OF_CLASS_ARGS,
                Push.site(XmlDecoderCheckpoint.METHOD), Push.contextBean(), Push.field("name", "Ljava/lang/String;"),
                Push.local(1), Push.local(2), Push.document()),
        GET_FIELD("FieldElementHandler", "getFieldValue", "(Ljava/lang/Object;Ljava/lang/String;)Ljava/lang/Object;",
                Push.site(XmlDecoderCheckpoint.FIELD_GET), Push.local(0), Push.local(1)),
        SET_FIELD("FieldElementHandler", "setFieldValue", "(Ljava/lang/Object;Ljava/lang/String;Ljava/lang/Object;)V",
                Push.site(XmlDecoderCheckpoint.FIELD_SET), Push.local(0), Push.local(1)),
        GET_PROPERTY("PropertyElementHandler", "getPropertyValue",
                "(Ljava/lang/Object;Ljava/lang/String;Ljava/lang/Integer;)Ljava/lang/Object;",
                Push.site(XmlDecoderCheckpoint.PROPERTY_GET), Push.local(0), Push.local(1), Push.local(2)),
        SET_PROPERTY("PropertyElementHandler", "setPropertyValue",
                "(Ljava/lang/Object;Ljava/lang/String;Ljava/lang/Integer;Ljava/lang/Object;)V",
                Push.site(XmlDecoderCheckpoint.PROPERTY_SET), Push.local(0), Push.local(1), Push.local(2)),
        NEW_ARRAY("ArrayElementHandler", "getValueObject", VALUE_OF_CLASS_ARGS,
                Push.site(XmlDecoderCheckpoint.ARRAY), Push.local(1), Push.field("length", "Ljava/lang/Integer;"));

        final String owner;
        final String method;
        final String descriptor;
        final List<Push> pushes;

        Site(String owner, String method, String descriptor, Push... pushes) {
            this.owner = PACKAGE + owner;
            this.method = method;
            this.descriptor = descriptor;
            this.pushes = List.of(pushes);
        }

        /** The fields of the class the edit reads, as {@code name:descriptor}. */
        Set<String> fields() {
            Set<String> fields = new HashSet<>();
            for (Push p : pushes) {
                if (p.fieldDescriptor() != null) {
                    fields.add(p.field() + ":" + p.fieldDescriptor());
                }
            }
            return fields;
        }

        @Override
        public String toString() {
            return owner.replace('/', '.') + "." + method;
        }
    }

    private final PrintStream console;
    private final Set<String> hooked = ConcurrentHashMap.newKeySet();

    public XmlDecoderEdits(PrintStream console) {
        this.console = console;
    }

    /** True for the internal names this rewrites (all loaded by the boot loader). */
    public static boolean handles(String internalName) {
        if (!internalName.startsWith(PACKAGE)) {
            return false;
        }
        for (Site site : Site.values()) {
            if (site.owner.equals(internalName)) {
                return true;
            }
        }
        return false;
    }

    /** The methods hooked so far, as {@code class.method}; for tests. */
    public Set<String> hooked() {
        return Set.copyOf(hooked);
    }

    /**
     * The edited class bytes, or null to leave the class as it is. Nothing is thrown: a JDK whose
     * decoder differs gets a warning naming the hook, and the class unchanged.
     */
    public byte[] rewrite(String internalName, byte[] bytes) {
        try {
            List<Site> sites = new ArrayList<>();
            for (Site site : Site.values()) {
                if (site.owner.equals(internalName)) {
                    sites.add(site);
                }
            }
            if (sites.isEmpty()) {
                return null;
            }
            ClassReader reader = new ClassReader(bytes);
            ClassWriter writer = new ClassWriter(reader, 0);
            Hook hook = new Hook(writer, sites);
            reader.accept(hook, ClassReader.EXPAND_FRAMES);
            for (Site site : sites) {
                if (hook.edited.contains(site)) {
                    hooked.add(site.toString());
                } else {
                    console.println("safeload: warning: cannot hook " + site + ": "
                            + (hook.found.contains(site) ? "its code is not shaped as the edit expects"
                                    : "no such method")
                            + " in this JDK; XMLDecoder documents are not checked there");
                }
            }
            return hook.edited.isEmpty() ? null : writer.toByteArray();
        } catch (RuntimeException | LinkageError e) {
            console.println("safeload: warning: cannot hook " + internalName.replace('/', '.') + ": " + e
                    + "; XMLDecoder documents are not checked there");
            return null;
        }
    }

    /** Edits the sites' methods when every field their code reads is declared (fields come first in a class file). */
    private static final class Hook extends ClassVisitor {
        private final List<Site> sites;
        private final Set<String> fields = new HashSet<>();
        final Set<Site> found = EnumSet.noneOf(Site.class);
        final Set<Site> edited = EnumSet.noneOf(Site.class);

        Hook(ClassVisitor next, List<Site> sites) {
            super(Opcodes.ASM9, next);
            this.sites = sites;
        }

        @Override
        public FieldVisitor visitField(int access, String name, String descriptor, String signature, Object value) {
            fields.add(name + ":" + descriptor);
            return super.visitField(access, name, descriptor, signature, value);
        }

        @Override
        public MethodVisitor visitMethod(int access, String name, String desc, String signature, String[] exceptions) {
            MethodVisitor mv = super.visitMethod(access, name, desc, signature, exceptions);
            for (Site site : sites) {
                if (name.equals(site.method) && desc.equals(site.descriptor) && (access & Opcodes.ACC_ABSTRACT) == 0) {
                    found.add(site);
                    if (!fields.containsAll(site.fields())) {
                        return mv;
                    }
                    boolean isStatic = (access & Opcodes.ACC_STATIC) != 0;
                    edited.add(site);
                    Runnable missed = () -> edited.remove(site);
                    return site == Site.EXPRESSION_CALL
                            ? new AfterExpressionEdit(mv, site, missed)
                            : new EntryEdit(mv, site, isStatic);
                }
            }
            return mv;
        }
    }

    /**
     * Emits: if the JVM-wide filter factory is a {@code Consumer}, hand it
     * {@code new Object[] {pushes...}}. Frames use {@code locals}, the frame entries at the
     * insertion point, with the stack there empty.
     */
    private static void emitCheck(MethodVisitor mv, Site site, Object[] locals, int expressionSlot) {
        Label notOurs = new Label();
        Label done = new Label();
        mv.visitMethodInsn(Opcodes.INVOKESTATIC, CONFIG, "getSerialFilterFactory",
                "()Ljava/util/function/BinaryOperator;", false);
        mv.visitInsn(Opcodes.DUP);
        mv.visitTypeInsn(Opcodes.INSTANCEOF, CONSUMER);
        mv.visitJumpInsn(Opcodes.IFEQ, notOurs);
        mv.visitTypeInsn(Opcodes.CHECKCAST, CONSUMER);
        int size = site.pushes.size() + (expressionSlot >= 0 ? 1 : 0);
        mv.visitIntInsn(Opcodes.BIPUSH, size);
        mv.visitTypeInsn(Opcodes.ANEWARRAY, OBJECT);
        int index = 0;
        for (Push push : site.pushes) {
            mv.visitInsn(Opcodes.DUP);
            mv.visitIntInsn(Opcodes.BIPUSH, index++);
            if (push.constant() != null) {
                mv.visitLdcInsn(push.constant());
            } else if (push.slot() >= 0) {
                mv.visitVarInsn(Opcodes.ALOAD, push.slot());
            } else if (push.fieldDescriptor() != null) {
                mv.visitVarInsn(Opcodes.ALOAD, 0);
                mv.visitFieldInsn(Opcodes.GETFIELD, site.owner, push.field(), push.fieldDescriptor());
            } else {
                mv.visitVarInsn(Opcodes.ALOAD, 0);
                mv.visitMethodInsn(Opcodes.INVOKEVIRTUAL, site.owner, push.field(), "()" + push.returns(), false);
            }
            mv.visitInsn(Opcodes.AASTORE);
        }
        if (expressionSlot >= 0) {
            mv.visitInsn(Opcodes.DUP);
            mv.visitIntInsn(Opcodes.BIPUSH, index);
            mv.visitVarInsn(Opcodes.ALOAD, expressionSlot);
            mv.visitInsn(Opcodes.AASTORE);
        }
        mv.visitMethodInsn(Opcodes.INVOKEINTERFACE, CONSUMER, "accept", "(Ljava/lang/Object;)V", true);
        mv.visitJumpInsn(Opcodes.GOTO, done);
        mv.visitLabel(notOurs);
        mv.visitFrame(Opcodes.F_NEW, locals.length, locals, 1, new Object[] {"java/util/function/BinaryOperator"});
        mv.visitInsn(Opcodes.POP);
        mv.visitLabel(done);
        mv.visitFrame(Opcodes.F_NEW, locals.length, locals, 0, new Object[0]);
        mv.visitInsn(Opcodes.NOP); // never two frames at one offset
    }

    /** Most stack the check needs: factory and its copy, then consumer, array, copy, index, value and this. */
    private static final int CHECK_STACK = 7;

    /** The check at the method's entry, where the frame is the parameters. */
    private static final class EntryEdit extends MethodVisitor {
        private final Site site;
        private final Object[] params;

        EntryEdit(MethodVisitor next, Site site, boolean isStatic) {
            super(Opcodes.ASM9, next);
            this.site = site;
            List<Object> types = new ArrayList<>();
            if (!isStatic) {
                types.add(site.owner);
            }
            for (Type t : Type.getArgumentTypes(site.descriptor)) {
                types.add(t.getSort() == Type.ARRAY ? t.getDescriptor() : t.getInternalName());
            }
            this.params = types.toArray();
        }

        @Override
        public void visitCode() {
            super.visitCode();
            emitCheck(mv, site, params, -1);
        }

        @Override
        public void visitMaxs(int maxStack, int maxLocals) {
            super.visitMaxs(Math.max(maxStack, CHECK_STACK), maxLocals);
        }
    }

    /**
     * In {@code ObjectElementHandler.getValueObject}: right after the new {@code Expression} is
     * stored in a local, the check gets it. The frame there is the method's last frame (at the
     * join after it picks the method name) plus that local; any other local written on the way,
     * a non-empty stack or a long or double local leaves the method unchanged and the hook
     * reported as missing.
     */
    private static final class AfterExpressionEdit extends MethodVisitor {
        private final Site site;
        private final Runnable missed;
        private List<Object> locals;
        private boolean constructed;
        private boolean applied;
        private int extraStack;

        AfterExpressionEdit(MethodVisitor next, Site site, Runnable missed) {
            super(Opcodes.ASM9, next);
            this.site = site;
            this.missed = missed;
        }

        @Override
        public void visitFrame(int type, int numLocal, Object[] local, int numStack, Object[] stack) {
            super.visitFrame(type, numLocal, local, numStack, stack);
            locals = new ArrayList<>(Arrays.asList(local).subList(0, numLocal));
            if (numStack != 0 || locals.contains(Opcodes.LONG) || locals.contains(Opcodes.DOUBLE)) {
                locals = null;
            }
            constructed = false;
        }

        @Override
        public void visitMethodInsn(int opcode, String owner, String name, String descriptor, boolean isInterface) {
            super.visitMethodInsn(opcode, owner, name, descriptor, isInterface);
            if (opcode == Opcodes.INVOKESPECIAL && owner.equals(EXPRESSION) && name.equals("<init>")) {
                constructed = true;
            }
        }

        @Override
        public void visitVarInsn(int opcode, int slot) {
            super.visitVarInsn(opcode, slot);
            boolean isStore = opcode >= Opcodes.ISTORE && opcode <= Opcodes.ASTORE;
            if (!isStore || applied || locals == null) {
                return;
            }
            if (opcode == Opcodes.ASTORE && constructed) {
                List<Object> at = new ArrayList<>(locals);
                while (at.size() <= slot) {
                    at.add(Opcodes.TOP);
                }
                at.set(slot, EXPRESSION);
                emitCheck(mv, site, at.toArray(), slot);
                applied = true;
                extraStack = CHECK_STACK;
            } else {
                locals = null; // another local changed since the frame: its type is not known here
            }
        }

        @Override
        public void visitMaxs(int maxStack, int maxLocals) {
            super.visitMaxs(Math.max(maxStack, extraStack), maxLocals);
        }

        @Override
        public void visitEnd() {
            if (!applied) {
                missed.run();
            }
            super.visitEnd();
        }
    }
}
