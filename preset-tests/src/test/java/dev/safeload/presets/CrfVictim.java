package dev.safeload.presets;

import edu.stanford.nlp.ie.crf.CRFClassifier;
import edu.stanford.nlp.ling.CoreLabel;
import java.io.InputStream;
import java.io.ObjectInputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A CoreNLP server in a forked JVM: reads a CRF through {@code CRFClassifier.getClassifier} from
 * a plain stream, which no model gate sees, tags one sentence, and prints one {@code RESULT} line.
 * Arguments: the model file, and the file {@link ConstructionWitness} marks.
 */
public final class CrfVictim {

    private CrfVictim() {
    }

    public static void main(String[] args) {
        ConstructionWitness.marker = Path.of(args[1]);
        try (InputStream in = Files.newInputStream(Path.of(args[0]))) {
            CRFClassifier<CoreLabel> crf = CRFClassifier.getClassifier(new ObjectInputStream(in));
            System.out.println("RESULT ok " + crf.classifyToString(CoreNlpPresetTest.SENTENCES.get(0)));
        } catch (Throwable e) {
            boolean refused = e instanceof java.io.InvalidClassException;
            System.out.println("RESULT " + (refused ? "refused " : "failed ") + e.getClass().getName() + ": "
                    + e.getMessage());
        }
    }
}
