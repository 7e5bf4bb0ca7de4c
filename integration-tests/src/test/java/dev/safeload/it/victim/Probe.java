package dev.safeload.it.victim;

import java.io.Serializable;

/** Serialized, then renamed in the bytes to a class that does not exist: a gadget probe. */
public final class Probe implements Serializable {
    private static final long serialVersionUID = 1L;
}
