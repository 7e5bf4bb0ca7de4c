package dev.safeload.model.keras;

import dev.safeload.model.keras.h5.KerasH5Check;
import dev.safeload.model.FormatCorpusTest;
import java.util.List;
import java.util.Set;

/** This package's checks against the shared corpus of real model files. */
class KerasCorpusTest extends FormatCorpusTest {

    KerasCorpusTest() {
        super(Set.of("keras-h5", "keras-v3"), List.of(new KerasH5Check(), new KerasV3Check()));
    }
}
