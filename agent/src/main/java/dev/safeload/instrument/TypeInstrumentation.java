package dev.safeload.instrument;

import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.matcher.ElementMatcher;

/** One instrumented type: which type to touch, and which advice goes on which methods. */
public interface TypeInstrumentation {

    /** The types this instrumentation applies to. */
    ElementMatcher<TypeDescription> typeMatcher();

    /** Adds the advice. */
    AgentBuilder.Transformer transformer();
}
