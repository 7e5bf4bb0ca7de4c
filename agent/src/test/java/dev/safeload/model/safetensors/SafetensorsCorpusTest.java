package dev.safeload.model.safetensors;

import dev.safeload.model.FormatCorpusTest;
import java.util.List;
import java.util.Set;

/** This package's checks against the shared corpus of real model files. */
class SafetensorsCorpusTest extends FormatCorpusTest {

    SafetensorsCorpusTest() {
        super(Set.of("safetensors"), List.of(new SafetensorsCheck()));
    }
}
