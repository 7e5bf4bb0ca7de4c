package dev.safeload.it.victim;

import java.io.ObjectInputFilter;
import java.util.function.BinaryOperator;

/** A host's own filter factory, named by -Djdk.serialFilterFactory: it refuses TreeMap. */
public final class HostFilterFactory implements BinaryOperator<ObjectInputFilter> {

    private static final ObjectInputFilter HOST = ObjectInputFilter.Config.createFilter("!java.util.TreeMap");

    @Override
    public ObjectInputFilter apply(ObjectInputFilter current, ObjectInputFilter next) {
        return HOST;
    }
}
