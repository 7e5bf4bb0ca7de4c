package dev.safeload.it.victim;

import java.io.Serializable;

/** An allowed class whose readResolve substitutes an object of a class the policy refuses. */
public final class Swapper implements Serializable {

    private static final long serialVersionUID = 1L;

    private Object readResolve() {
        return new java.text.SimpleDateFormat("yyyy");
    }
}
