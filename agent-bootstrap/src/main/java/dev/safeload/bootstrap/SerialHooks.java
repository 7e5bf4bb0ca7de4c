package dev.safeload.bootstrap;

import java.io.ObjectInputFilter;
import java.util.function.BinaryOperator;

/** The JVM-wide side of the agent that JDK advice reports to. */
public interface SerialHooks {

    /**
     * The host called {@code ObjectInputFilter.Config.setSerialFilterFactory}.
     *
     * @return true when the agent adopted the host's factory behind its own, so the JDK's
     *     method must not run; false to let the JDK's method run (and throw, as it would)
     */
    boolean adoptHostFilterFactory(BinaryOperator<ObjectInputFilter> factory);
}
