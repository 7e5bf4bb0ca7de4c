package dev.safeload.bench.startup;

import java.lang.instrument.Instrumentation;

/** An agent that does nothing: the cost of {@code -javaagent} itself, Safeload's startup baseline. */
public final class EmptyAgent {

    private EmptyAgent() {
    }

    public static void premain(String args, Instrumentation inst) {
    }
}
