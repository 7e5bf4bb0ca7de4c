package dev.safeload.it.victim;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A class whose static initializer is the payload: it creates the marker file named by the
 * {@code victim.marker} system property. Initializing it is enough; no instance is needed.
 */
public final class Detonator implements Serializable {

    private static final long serialVersionUID = 1L;

    static {
        String marker = System.getProperty("victim.marker");
        if (marker != null) {
            try {
                Files.createFile(Path.of(marker));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
