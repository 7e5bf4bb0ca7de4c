package dev.safeload.it.victim;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A "compiled PMML" as {@code PMMLUtil.load(URL)} finds it through {@code META-INF/services}:
 * its constructor is the archive author's code, and writes {@code pwned} into the working folder.
 */
public class ServicePmml extends org.dmg.pmml.PMML {

    public ServicePmml() {
        try {
            Files.writeString(Path.of("pwned"), "code from a PMML archive ran");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
