package dev.safeload.instrument.h2o;

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
 * H2O: {@code MojoReaderBackendFactory.createReaderBackend} for a file or folder (the
 * {@code String} overload calls it) and for a stream (the {@code URL} overload calls it, and so
 * does a classpath resource). A stream is read whole for the check and the factory gets the same bytes.
 */
public final class MojoReaderBackendFactoryInstrumentation implements TypeInstrumentation {

    /** What {@link #trigger()} returns, as a constant the agent can read without loading this class. */
    public static final String TRIGGER = "hex.genmodel.MojoReaderBackendFactory";

    @Override
    public String trigger() {
        return TRIGGER;
    }

    @Override
    public AsmVisitorWrapper advice() {
        return Advice.to(CreateReaderBackendAdvice.class)
                .on(named("createReaderBackend").and(takesArgument(0, File.class).or(takesArgument(0, InputStream.class))));
    }

    /** Inlined into {@code createReaderBackend(File)} and {@code createReaderBackend(InputStream, CachingStrategy)}. */
    public static final class CreateReaderBackendAdvice {

        private CreateReaderBackendAdvice() {
        }

        @Advice.OnMethodEnter
        static void enter(@Advice.Argument(value = 0, readOnly = false, typing = Assigner.Typing.DYNAMIC) Object model,
                          @Advice.Origin Class<?> hooked) throws Throwable {
            Object checked = model instanceof InputStream
                    ? ModelLoadGate.checkArgument("h2o", "hex.genmodel.MojoReaderBackendFactory.createReaderBackend",
                            model, hooked, "java.io.IOException")
                    : ModelLoadGate.checkH2oMojo("hex.genmodel.MojoReaderBackendFactory.createReaderBackend", model, hooked);
            if (checked instanceof Throwable refusal) {
                throw refusal;
            }
            if (checked != null && checked != model) {
                model = checked;
            }
        }
    }
}
