package dev.safeload.instrument;

import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.asm.AsmVisitorWrapper;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;
import net.bytebuddy.matcher.ElementMatchers;

/**
 * One instrumented library type: which type to touch, and which advice goes on which methods.
 * Constructing one must not touch Byte Buddy: that waits until {@link #trigger()} loads.
 */
public interface TypeInstrumentation {

    /**
     * The binary name of the type whose loading calls for Byte Buddy, or a package prefix
     * ending in '.'; {@link #typeMatcher()} then decides.
     */
    String trigger();

    /** The types this instrumentation applies to: by default, the one named by {@link #trigger()}. */
    default ElementMatcher<TypeDescription> typeMatcher() {
        return ElementMatchers.named(trigger());
    }

    /** The advice and the methods it goes on; called once, when Byte Buddy is first needed. */
    AsmVisitorWrapper advice();

    /** Adds {@link #advice()} to each matched type. */
    default AgentBuilder.Transformer transformer() {
        AsmVisitorWrapper advice = advice();
        return (builder, type, loader, module, domain) -> builder.visit(advice);
    }
}
