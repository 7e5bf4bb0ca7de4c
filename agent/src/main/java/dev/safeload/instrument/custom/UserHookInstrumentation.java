package dev.safeload.instrument.custom;

import dev.safeload.instrument.edit.EntryHook;
import dev.safeload.model.gate.ModelLoadGate;
import dev.safeload.policy.ModelHook;

/**
 * A user-declared model-loading method ({@code model.hooks}). The argument may be a path
 * ({@code Path}, {@code File}, {@code String}, {@code URL}), {@code byte[]} or an
 * {@code InputStream}; a stream is read once and the method gets a fresh stream over the same
 * bytes, so the caller's stream is never left consumed. A refusal is a
 * {@code SecurityException}, since the agent cannot know what the method declares. Every overload
 * of the method that has a reference parameter at that index is hooked.
 */
public final class UserHookInstrumentation {

    private UserHookInstrumentation() {
    }

    public static EntryHook hook(ModelHook hook) {
        return EntryHook.at(hook.className(), hook.method())
                .constant(hook.toString()).argument(hook.argument()).hookedClass()
                .replacesArgument(hook.argument(), ModelLoadGate.class.getName(), "checkUserArgument");
    }
}
