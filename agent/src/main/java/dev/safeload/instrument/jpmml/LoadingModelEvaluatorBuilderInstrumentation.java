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
 * JPMML evaluator: {@code LoadingModelEvaluatorBuilder.load}, the documented way to build an
 * evaluator from a PMML file, unmarshals on its own, past {@code PMMLUtil}. Every overload
 * ({@code File}, {@code InputStream}, with or without a model name) ends in
 * {@code load(InputStream, String)}, which is checked; the stream is read whole and handed on.
 */
public final class LoadingModelEvaluatorBuilderInstrumentation implements TypeInstrumentation {

    /** What {@link #trigger()} returns, as a constant the agent can read without loading this class. */
    public static final String TRIGGER = "org.jpmml.evaluator.LoadingModelEvaluatorBuilder";

    @Override
    public String trigger() {
        return TRIGGER;
    }

    @Override
    public AsmVisitorWrapper advice() {
        return Advice.to(LoadAdvice.class)
                .on(named("load").and(takesArguments(2)).and(takesArgument(0, InputStream.class)));
    }

    /** Inlined into {@code load(InputStream, String)}. */
    public static final class LoadAdvice {

        private LoadAdvice() {
        }

        @Advice.OnMethodEnter
        static void enter(@Advice.Argument(value = 0, readOnly = false, typing = Assigner.Typing.DYNAMIC) Object model,
                          @Advice.Origin Class<?> hooked) throws Throwable {
            Object checked = ModelLoadGate.checkArgument("jpmml", "org.jpmml.evaluator.LoadingModelEvaluatorBuilder.load",
                    model, hooked, "org.xml.sax.SAXException");
            if (checked instanceof Throwable refusal) {
                throw refusal;
            }
            if (checked != model) {
                model = checked;
            }
        }
    }
}
