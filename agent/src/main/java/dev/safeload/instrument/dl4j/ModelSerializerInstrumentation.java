package dev.safeload.instrument.dl4j;

import dev.safeload.instrument.TypeInstrumentation;
import dev.safeload.model.gate.ModelLoadGate;
import java.io.File;
import java.io.InputStream;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.asm.AsmVisitorWrapper;
import net.bytebuddy.implementation.bytecode.assign.Assigner;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArgument;

/**
 * DL4J: {@code ModelSerializer}. Every {@code restoreMultiLayerNetwork} and
 * {@code restoreComputationGraph} overload (file, path, stream, with or without the normalizer)
 * funnels into a private helper taking the stream, which is checked (read whole and handed on)
 * before DL4J unzips it and reads {@code preprocessor.bin} with {@code ObjectInputStream}. The
 * normalizer readers and {@code getObjectFromFile} are checked at their own entry:
 * {@code restoreNormalizerFromFile} swallows a failure of the stream reader and falls back to
 * a plain {@code ObjectInputStream} over the file.
 */
public final class ModelSerializerInstrumentation implements TypeInstrumentation {

    /** What {@link #trigger()} returns, as a constant the agent can read without loading this class. */
    public static final String TRIGGER = "org.deeplearning4j.util.ModelSerializer";

    @Override
    public String trigger() {
        return TRIGGER;
    }

    @Override
    public AsmVisitorWrapper advice() {
        return new AsmVisitorWrapper.Compound(
                Advice.to(StreamAdvice.class)
                        .on(named("restoreMultiLayerNetworkHelper").or(named("restoreComputationGraphHelper"))
                                .or(named("restoreNormalizerFromInputStream"))
                                .and(takesArgument(0, InputStream.class))),
                Advice.to(FileAdvice.class)
                        .on(named("restoreNormalizerFromFile").or(named("getObjectFromFile"))
                                .and(takesArgument(0, File.class))));
    }

    /** Inlined into the two restore helpers and {@code restoreNormalizerFromInputStream}. */
    public static final class StreamAdvice {

        private StreamAdvice() {
        }

        @Advice.OnMethodEnter
        static void enter(@Advice.Argument(value = 0, readOnly = false, typing = Assigner.Typing.DYNAMIC) Object model,
                          @Advice.Origin("#t.#m") String method, @Advice.Origin Class<?> hooked) throws Throwable {
            Object checked = ModelLoadGate.checkArgument("dl4j", method, model, hooked, "java.io.IOException");
            if (checked instanceof Throwable refusal) {
                throw refusal;
            }
            if (checked != model) {
                model = checked;
            }
        }
    }

    /** Inlined into {@code restoreNormalizerFromFile(File)} and {@code getObjectFromFile(File, String)}. */
    public static final class FileAdvice {

        private FileAdvice() {
        }

        @Advice.OnMethodEnter
        static void enter(@Advice.Argument(0) Object file, @Advice.Origin("#t.#m") String method,
                          @Advice.Origin Class<?> hooked) throws Throwable {
            Throwable refusal = ModelLoadGate.check("dl4j", method, file, hooked, "java.lang.IllegalStateException");
            if (refusal != null) {
                throw refusal;
            }
        }
    }
}
