package dev.safeload.instrument;

import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

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

    /** The types this instrumentation applies to. */
    ElementMatcher<TypeDescription> typeMatcher();

    /** Adds the advice; called once, when Byte Buddy is first needed. */
    AgentBuilder.Transformer transformer();
}
