package dev.safeload.instrument.jpmml;

import dev.safeload.instrument.TypeInstrumentation;
import dev.safeload.model.gate.ModelLoadGate;
import java.io.InputStream;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.asm.AsmVisitorWrapper;
import net.bytebuddy.implementation.bytecode.assign.Assigner;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

/**
 * JPMML: {@code JAXBSerializer.deserialize(InputStream)} hands the stream to JAXB as a plain
 * {@code StreamSource}, past JPMML's own SAX parser that refuses a document type declaration;
 * the PMML check (which refuses one too) runs first. The stream is read whole and handed on.
 */
public final class JAXBSerializerInstrumentation implements TypeInstrumentation {

    /** What {@link #trigger()} returns, as a constant the agent can read without loading this class. */
    public static final String TRIGGER = "org.jpmml.model.JAXBSerializer";

    @Override
    public String trigger() {
        return TRIGGER;
    }

    @Override
    public AsmVisitorWrapper advice() {
        return Advice.to(DeserializeAdvice.class)
                .on(named("deserialize").and(takesArguments(1)).and(takesArgument(0, InputStream.class)));
    }

    /** Inlined into {@code JAXBSerializer.deserialize(InputStream)}. */
    public static final class DeserializeAdvice {

        private DeserializeAdvice() {
        }

        @Advice.OnMethodEnter
        static void enter(@Advice.Argument(value = 0, readOnly = false, typing = Assigner.Typing.DYNAMIC) Object model,
                          @Advice.Origin Class<?> hooked) throws Throwable {
            Object checked = ModelLoadGate.checkArgument("jpmml", "org.jpmml.model.JAXBSerializer.deserialize", model,
                    hooked, "jakarta.xml.bind.UnmarshalException");
            if (checked instanceof Throwable refusal) {
                throw refusal;
            }
            if (checked != model) {
                model = checked;
            }
        }
    }
}
