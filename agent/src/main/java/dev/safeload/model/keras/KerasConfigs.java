package dev.safeload.model.keras;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.safeload.model.Finding;
import dev.safeload.model.Severity;
import java.io.IOException;
import java.io.StringReader;
import java.util.List;

/** Judges a Keras config found in another format, such as the Keras metadata of a TF SavedModel. */
public final class KerasConfigs {

    private KerasConfigs() {
    }

    /** Adds a finding for every object of {@code json} Keras must not rebuild; malformed JSON is one too. */
    public static void inspect(String json, String where, List<Finding> findings) {
        try {
            KerasConfig.inspect(new StringReader(json), where, findings);
        } catch (JsonProcessingException e) {
            findings.add(new Finding("keras.config.malformed", Severity.HIGH, where, "Keras metadata is not valid"
                    + " JSON: " + e.getOriginalMessage()));
        } catch (IOException e) {
            findings.add(new Finding("keras.config.malformed", Severity.HIGH, where, "Keras metadata cannot be read: "
                    + e.getMessage()));
        }
    }
}
