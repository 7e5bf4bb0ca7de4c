package dev.safeload.instrument.jpmml;

import dev.safeload.instrument.TypeInstrumentation;
import dev.safeload.model.gate.ModelLoadGate;
import java.io.InputStream;
import java.net.URL;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.asm.AsmVisitorWrapper;
import net.bytebuddy.implementation.bytecode.assign.Assigner;

import static net.bytebuddy.matcher.ElementMatchers.isStatic;
import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

/**
 * JPMML: {@code PMMLUtil.unmarshal(InputStream)} reads PMML XML, checked first (the stream is
 * read whole and handed on); {@code PMMLUtil.load(URL)} puts the URL on a new class loader and
 * instantiates the PMML class its {@code META-INF/services} names, i.e. runs the archive's code,
 * and is refused unless the archive is in {@code model.trustedDirs}.
 */
public final class PMMLUtilInstrumentation implements TypeInstrumentation {

    /** What {@link #trigger()} returns, as a constant the agent can read without loading this class. */
    public static final String TRIGGER = "org.jpmml.model.PMMLUtil";

    @Override
    public String trigger() {
        return TRIGGER;
    }

    @Override
    public AsmVisitorWrapper advice() {
        return new AsmVisitorWrapper.Compound(
                Advice.to(UnmarshalAdvice.class)
                        .on(named("unmarshal").and(isStatic()).and(takesArguments(1)).and(takesArgument(0, InputStream.class))),
                Advice.to(LoadAdvice.class)
                        .on(named("load").and(isStatic()).and(takesArguments(1)).and(takesArgument(0, URL.class))));
    }

    /** Inlined into {@code PMMLUtil.unmarshal(InputStream)}. */
    public static final class UnmarshalAdvice {

        private UnmarshalAdvice() {
        }

        @Advice.OnMethodEnter
        static void enter(@Advice.Argument(value = 0, readOnly = false, typing = Assigner.Typing.DYNAMIC) Object model,
                          @Advice.Origin Class<?> hooked) throws Throwable {
            Object checked = ModelLoadGate.checkArgument("jpmml", "org.jpmml.model.PMMLUtil.unmarshal", model, hooked,
                    "org.xml.sax.SAXException");
            if (checked instanceof Throwable refusal) {
                throw refusal;
            }
            if (checked != model) {
                model = checked;
            }
        }
    }

    /** Inlined into {@code PMMLUtil.load(URL)}. */
    public static final class LoadAdvice {

        private LoadAdvice() {
        }

        @Advice.OnMethodEnter
        static void enter(@Advice.Argument(0) Object archive, @Advice.Origin Class<?> hooked) throws Throwable {
            Throwable refusal = ModelLoadGate.checkCodeArchive("jpmml", "org.jpmml.model.PMMLUtil.load", archive, hooked,
                    "java.io.IOException");
            if (refusal != null) {
                throw refusal;
            }
        }
    }
}
