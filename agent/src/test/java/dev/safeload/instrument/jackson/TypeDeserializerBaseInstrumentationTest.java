package dev.safeload.instrument.jackson;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.jsontype.impl.TypeDeserializerBase;
import dev.safeload.instrument.Libraries;
import dev.safeload.instrument.edit.EntryHookEdit;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.Handle;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import org.junit.jupiter.api.Test;

class TypeDeserializerBaseInstrumentationTest {

    /** Descriptors and the getter are spelled out at run time; a typo would leave cache hits unjudged without a word. */
    @Test
    void hooksFindDeserializerInTheRealJacksonClass() throws Exception {
        byte[] bytes;
        try (InputStream in = TypeDeserializerBase.class.getResourceAsStream("TypeDeserializerBase.class")) {
            bytes = in.readAllBytes();
        }

        EntryHookEdit.Result result = EntryHookEdit.apply(bytes,
                Libraries.entryHooks(TypeDeserializerBase.class.getName()));

        assertEquals(List.of(), result.problems());
        assertEquals(1, result.applied().size()); // the cache hit's class check and the typed value's depth, in one call
        result.applied().forEach(hook -> assertEquals("_findDeserializer", hook.method()));
        // The depth is read in Jackson's class through a call site the agent links, not by a handle per call.
        List<String> sites = new ArrayList<>();
        new ClassReader(result.bytes()).accept(new ClassVisitor(Opcodes.ASM9) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String desc, String signature, String[] exceptions) {
                return new MethodVisitor(Opcodes.ASM9) {
                    @Override
                    public void visitInvokeDynamicInsn(String site, String siteDesc, Handle bootstrap, Object... args) {
                        if (bootstrap.getOwner().startsWith("dev/safeload/")) {
                            sites.add(name + " " + site + siteDesc + " " + bootstrap.getOwner() + "." + bootstrap.getName());
                        }
                    }
                };
            }
        }, 0);
        assertEquals(List.of("_findDeserializer nestingDepth(L" + DeserializationContext.class.getName().replace('.', '/')
                + ";)I dev/safeload/deser/JacksonTypedDepth.nestingDepth"), sites);
    }

    @Test
    void namesTheHookedClassAsTheHostSeesIt() {
        assertEquals(TypeDeserializerBase.class.getName(), TypeDeserializerBaseInstrumentation.trigger());
    }
}
