package dev.safeload.agent;

import java.lang.instrument.Instrumentation;

/** The agent's entry points: {@code premain} at JVM start, {@code agentmain} on attach. */
public final class SafeloadAgent {

    private SafeloadAgent() {
    }

    public static void premain(String options, Instrumentation inst) {
        // Wired in the next commit.
    }

    public static void agentmain(String options, Instrumentation inst) {
        premain(options, inst);
    }
}
