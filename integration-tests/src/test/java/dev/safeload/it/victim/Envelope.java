package dev.safeload.it.victim;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.Serializable;
import java.rmi.MarshalledObject;
import java.security.SignedObject;

/**
 * An application class that opens a second stream while it is itself being deserialized,
 * through {@link SignedObject#getObject()} or {@link MarshalledObject#get()}: the shape of the
 * bypass that hides a gadget from filters that only watch the outer stream.
 */
public final class Envelope implements Serializable {

    private static final long serialVersionUID = 1L;

    private final Object wrapped;
    private transient Object opened;

    public Envelope(Object wrapped) {
        this.wrapped = wrapped;
    }

    private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
        in.defaultReadObject();
        if (wrapped instanceof SignedObject signed) {
            opened = signed.getObject();
        } else if (wrapped instanceof MarshalledObject<?> marshalled) {
            opened = marshalled.get();
        }
    }

    @Override
    public String toString() {
        return "Envelope[" + opened + "]";
    }
}
