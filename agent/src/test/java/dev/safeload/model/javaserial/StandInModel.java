package dev.safeload.model.javaserial;

import java.io.File;
import java.io.Serializable;

/**
 * Has the name length and the field of Weka's SerializedClassifier, so that a test can write it
 * and put Weka's name in its place without Weka on the class path.
 */
final class StandInModel implements Serializable {

    /** As long as {@link CodeBearingFieldTest#WEKA_NAME}: the swap keeps the stream valid. */
    static final String NAME = StandInModel.class.getName();

    File m_ModelFile;

    StandInModel(File file) {
        this.m_ModelFile = file;
    }
}
