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

    /**
     * JDK types this instrumentation hooks, loaded before installation so that they are
     * retransformed in one pass: a JDK class that first loads in the middle of another
     * transformation would be skipped by Byte Buddy's circularity guard and never hooked.
     */
    default java.util.List<String> preloadedTypes() {
        return java.util.List.of();
    }
}
