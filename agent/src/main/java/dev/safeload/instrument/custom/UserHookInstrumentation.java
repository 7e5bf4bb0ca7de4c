package dev.safeload.instrument.custom;

import dev.safeload.instrument.TypeInstrumentation;
import dev.safeload.model.gate.ModelLoadGate;
import dev.safeload.policy.ModelHook;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.asm.AsmVisitorWrapper;
import net.bytebuddy.implementation.bytecode.assign.Assigner;

import static net.bytebuddy.matcher.ElementMatchers.named;

/**
 * A user-declared model-loading method ({@code model.hooks}). The argument may be a path
 * ({@code Path}, {@code File}, {@code String}, {@code URL}), {@code byte[]} or an
 * {@code InputStream}; a stream is read once and the method gets a fresh stream over the same
 * bytes, so the caller's stream is never left consumed. A refusal is a
 * {@code SecurityException}, since the agent cannot know what the method declares.
 */
public final class UserHookInstrumentation implements TypeInstrumentation {

    /** The index of the model argument, bound per hook. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.PARAMETER)
    public @interface ModelArgument {
    }

    /** The hook as written in the policy, bound per hook. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.PARAMETER)
    public @interface HookSpec {
    }

    private final ModelHook hook;

    public UserHookInstrumentation(ModelHook hook) {
        this.hook = hook;
    }

    @Override
    public String trigger() {
        return hook.className();
    }

    @Override
    public AsmVisitorWrapper advice() {
        return Advice.withCustomMapping()
                .bind(ModelArgument.class, hook.argument())
                .bind(HookSpec.class, hook.toString())
                .to(UserHookAdvice.class)
                .on(named(hook.method()));
    }

    /** Inlined into the user's method. */
    public static final class UserHookAdvice {

        private UserHookAdvice() {
        }

        @Advice.OnMethodEnter
        static void enter(@Advice.AllArguments(readOnly = false, typing = Assigner.Typing.DYNAMIC) Object[] args,
                          @ModelArgument int index, @HookSpec String spec, @Advice.Origin Class<?> hooked)
                throws Throwable {
            if (index < args.length) {
                Object checked = ModelLoadGate.checkUserArgument(spec, args[index], hooked);
                if (checked instanceof Throwable refusal) {
                    throw refusal;
                }
                if (checked != args[index]) {
                    Object[] replaced = args;
                    replaced[index] = checked;
                    args = replaced;
                }
            }
        }
    }
}
