package dev.safeload.it.victim;

import java.util.Hashtable;

/** A host's own subclass of {@code Hashtable}, whose entries the JDK's {@code Hashtable.readObject} reads. */
public final class Ledger extends Hashtable<Object, Object> {
    private static final long serialVersionUID = 1L;
}
