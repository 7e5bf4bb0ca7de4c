package dev.safeload.model.onnx;

import dev.safeload.model.FormatCorpusTest;
import java.util.List;
import java.util.Set;

/** This package's checks against the shared corpus of real model files. */
class OnnxCorpusTest extends FormatCorpusTest {

    OnnxCorpusTest() {
        super(Set.of("onnx"), List.of(new OnnxCheck()));
    }
}
