package dev.safeload.model.gguf;

import dev.safeload.model.FormatCorpusTest;
import java.util.List;
import java.util.Set;

/** This package's checks against the shared corpus of real model files. */
class GgufCorpusTest extends FormatCorpusTest {

    GgufCorpusTest() {
        super(Set.of("gguf"), List.of(new GgufCheck()));
    }
}
