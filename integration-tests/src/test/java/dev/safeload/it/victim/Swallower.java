package dev.safeload.it.victim;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;

/**
 * A host class, allowed by the operator, whose {@code readObject} swallows a failed nested read
 * and goes on reading: the shape an attacker needs to reach a refused object by a back-reference
 * after its refusal (the second value may hold the first, written as a back-reference).
 */
public final class Swallower implements Serializable {
    private static final long serialVersionUID = 1L;

    private transient Object first;
    private transient Object second;

    public Swallower(Object first, Object second) {
        this.first = first;
        this.second = second;
    }

    public Object second() {
        return second;
    }

    private void writeObject(ObjectOutputStream out) throws IOException {
        out.writeObject(first);
        out.writeObject(second);
    }

    private void readObject(ObjectInputStream in) throws IOException, ClassNotFoundException {
        try {
            first = in.readObject();
        } catch (IOException refused) {
            first = null;
        }
        second = in.readObject();
    }
}
