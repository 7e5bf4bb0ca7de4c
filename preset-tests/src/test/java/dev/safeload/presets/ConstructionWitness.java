package dev.safeload.presets;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A class with a public no-argument constructor that leaves a mark: stands for any class on an
 * application's class path whose construction does something, to show that a library
 * instantiates a class a model names.
 */
public final class ConstructionWitness {

    /** The file every construction creates; set by the test before it loads a model. */
    static volatile Path marker;

    public ConstructionWitness() {
        try {
            Files.writeString(marker, "constructed");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
