package dev.safeload.it.victim;

import java.io.IOException;
import java.io.InputStream;

/** An application's own model-loading method, hooked with model.hooks=...ModelStore#load(0). */
public final class ModelStore {

    private ModelStore() {
    }

    /** Reads the whole model and returns its size, as a loader would before parsing it. */
    public static long load(InputStream model) throws IOException {
        return model.readAllBytes().length;
    }
}
