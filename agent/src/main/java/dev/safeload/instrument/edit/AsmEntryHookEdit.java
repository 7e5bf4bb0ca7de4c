package dev.safeload.instrument.edit;

import dev.safeload.instrument.edit.EntryHook.Value;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.Handle;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.jar.asm.Type;

/**
 * {@link EntryHookEdit} through ASM, for the hooks the plain byte edit does not write: those
 * with an {@code invokedynamic} call site ({@link EntryHook.Site}), which add bootstrap methods,
 * and code it does not rewrite (type annotations on the code). It loads about 27 ASM classes
 * and copies the class's whole constant pool, which the plain edit avoids on the host's start.
 */
final class AsmEntryHookEdit {

    private static final String REFUSAL = EntryHookEdit.REFUSAL;
    private static final String OBJECT = "java/lang/Object";
    private static final String BOOTSTRAP = "(Ljava/lang/invoke/MethodHandles$Lookup;Ljava/lang/String;"
            + "Ljava/lang/invoke/MethodType;)Ljava/lang/invoke/CallSite;";

    private AsmEntryHookEdit() {
    }

    /** Applies {@code hooks}, all on this class, to its bytes. */
    static EntryHookEdit.Result apply(byte[] bytes, List<EntryHook> hooks) {
        ClassReader reader = new ClassReader(bytes);
        ClassWriter writer = new ClassWriter(reader, 0);
        Editor editor = new Editor(writer, hooks);
        reader.accept(editor, 0);
        return EntryHookEdit.result(editor.applied.isEmpty() ? null : writer.toByteArray(), hooks, editor.applied,
                editor.problems);
    }

    private static final class Editor extends ClassVisitor {
        private final List<EntryHook> hooks;
        final Set<EntryHook> applied = new LinkedHashSet<>();
        final List<EntryHookEdit.Problem> problems = new ArrayList<>();
        private String owner;
        private boolean classLiterals;
        private boolean callSites;

        Editor(ClassVisitor next, List<EntryHook> hooks) {
            super(Opcodes.ASM9, next);
            this.hooks = hooks;
        }

        @Override
        public void visit(int version, int access, String name, String signature, String superName,
                          String[] interfaces) {
            owner = name;
            classLiterals = (version & 0xFFFF) >= Opcodes.V1_5;
            callSites = (version & 0xFFFF) >= Opcodes.V1_7;
            super.visit(version, access, name, signature, superName, interfaces);
        }

        @Override
        public MethodVisitor visitMethod(int access, String name, String desc, String signature, String[] exceptions) {
            MethodVisitor mv = super.visitMethod(access, name, desc, signature, exceptions);
            if ((access & (Opcodes.ACC_ABSTRACT | Opcodes.ACC_NATIVE)) != 0) {
                return mv;
            }
            List<EntryHook> here = new ArrayList<>();
            for (EntryHook hook : hooks) {
                if (hook.matches(name, desc)) {
                    String problem = EntryHookEdit.problem(hook, (access & Opcodes.ACC_STATIC) != 0,
                            Descriptors.parameters(desc), classLiterals);
                    if (problem == null) {
                        here.add(hook);
                        applied.add(hook);
                    } else {
                        problems.add(new EntryHookEdit.Problem(hook, owner.replace('/', '.') + "." + name + desc + ": " + problem));
                    }
                }
            }
            return here.isEmpty() ? mv : new AtEntry(mv, owner, name, desc, (access & Opcodes.ACC_STATIC) != 0, here,
                    callSites);
        }
    }

    /** Inserts each hook's call before the method's first instruction. */
    private static final class AtEntry extends MethodVisitor {
        private final String owner;
        private final String method;
        private final boolean isStatic;
        private final Type[] parameters;
        private final List<EntryHook> hooks;
        private final boolean callSites;
        private int stackNeeded;

        AtEntry(MethodVisitor mv, String owner, String method, String desc, boolean isStatic, List<EntryHook> hooks,
                boolean callSites) {
            super(Opcodes.ASM9, mv);
            this.owner = owner;
            this.method = method;
            this.isStatic = isStatic;
            this.parameters = Type.getArgumentTypes(desc);
            this.hooks = hooks;
            this.callSites = callSites;
        }

        @Override
        public void visitCode() {
            super.visitCode();
            for (EntryHook hook : hooks) {
                insert(hook);
            }
        }

        private void insert(EntryHook hook) {
            StringBuilder bridge = new StringBuilder("(");
            int slots = 0;
            for (Value value : hook.values()) {
                Type pushed = switch (value.kind()) {
                    case CONSTANT -> {
                        super.visitLdcInsn(value.constant());
                        yield Type.getType(String.class);
                    }
                    case HOOKED_METHOD -> {
                        super.visitLdcInsn(owner.replace('/', '.') + "." + method);
                        yield Type.getType(String.class);
                    }
                    case ARGUMENT -> {
                        Type type = parameters[value.index()];
                        super.visitVarInsn(type.getOpcode(Opcodes.ILOAD), slot(value.index()));
                        yield type;
                    }
                    case SELF -> {
                        super.visitVarInsn(Opcodes.ALOAD, 0);
                        yield Type.getObjectType(owner);
                    }
                    case HOOKED_CLASS -> {
                        super.visitLdcInsn(Type.getObjectType(owner));
                        yield Type.getType(Class.class);
                    }
                };
                // Each getter replaces its receiver (a reference, handed over as an Object either way) on the stack.
                for (EntryHook.Call call : value.calls()) {
                    super.visitMethodInsn(Opcodes.INVOKEVIRTUAL, call.owner(), call.name(), call.descriptor(), false);
                    pushed = Type.getReturnType(call.descriptor());
                }
                if (value.site() != null) {
                    pushed = site(value.site(), pushed);
                }
                bridge.append(value.kind() == EntryHook.Kind.HOOKED_CLASS || value.kind() == EntryHook.Kind.CONSTANT
                        || value.kind() == EntryHook.Kind.HOOKED_METHOD ? pushed.getDescriptor() : bridgeType(pushed));
                slots += pushed.getSize();
            }
            String bridgeOwner = hook.bridgeOwner().replace('.', '/');
            switch (hook.outcome()) {
                case THROW_RETURNED -> {
                    super.visitMethodInsn(Opcodes.INVOKESTATIC, bridgeOwner, hook.bridgeMethod(),
                            bridge.append(")Ljava/lang/Throwable;").toString(), false);
                    super.visitMethodInsn(Opcodes.INVOKESTATIC, REFUSAL, "throwIfAny", "(Ljava/lang/Throwable;)V", false);
                }
                case REPLACE_ARGUMENT -> {
                    super.visitMethodInsn(Opcodes.INVOKESTATIC, bridgeOwner, hook.bridgeMethod(),
                            bridge.append(")Ljava/lang/Object;").toString(), false);
                    super.visitMethodInsn(Opcodes.INVOKESTATIC, REFUSAL, "unlessThrowable",
                            "(Ljava/lang/Object;)Ljava/lang/Object;", false);
                    Type type = parameters[hook.replaced()];
                    if (!type.getInternalName().equals(OBJECT)) {
                        super.visitTypeInsn(Opcodes.CHECKCAST, type.getInternalName());
                    }
                    super.visitVarInsn(Opcodes.ASTORE, slot(hook.replaced()));
                }
                case CALL -> super.visitMethodInsn(Opcodes.INVOKESTATIC, bridgeOwner, hook.bridgeMethod(),
                        bridge.append(")V").toString(), false);
            }
            stackNeeded = Math.max(stackNeeded, Math.max(slots, 1));
        }

        /** Replaces the reference on the stack with the call site's answer; the answer's type. */
        private Type site(EntryHook.Site site, Type receiver) {
            Type answer = Type.getType(site.returnType());
            if (callSites) {
                super.visitInvokeDynamicInsn(site.name(), Type.getMethodDescriptor(answer, receiver),
                        new Handle(Opcodes.H_INVOKESTATIC, site.owner().replace('.', '/'), site.name(), BOOTSTRAP, false));
            } else {
                super.visitInsn(Opcodes.POP); // a class file before Java 7: the bridge works it out itself
                super.visitInsn(answer.getSort() == Type.INT ? Opcodes.ICONST_M1 : Opcodes.ACONST_NULL);
            }
            return answer;
        }

        private static String bridgeType(Type parameter) {
            return parameter.getSort() >= Type.ARRAY ? "Ljava/lang/Object;" : parameter.getDescriptor();
        }

        private int slot(int parameter) {
            int slot = isStatic ? 0 : 1;
            for (int i = 0; i < parameter; i++) {
                slot += parameters[i].getSize();
            }
            return slot;
        }

        @Override
        public void visitMaxs(int maxStack, int maxLocals) {
            super.visitMaxs(Math.max(maxStack, stackNeeded), maxLocals);
        }
    }
}
