package dev.safeload.presets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.safeload.policy.ClassPatterns;
import dev.safeload.policy.Presets;
import dev.safeload.policy.SerialLimits;
import java.io.InvalidClassException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What every preset must prove with real models of its library: each model reads back under
 * the preset and predicts as before, each is refused without the preset, and the preset holds
 * no pattern that none of the models needs.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class PresetContract {

    private List<TrainedModel> models;

    /** The preset's name, as a user writes it in {@code serial.presets}. */
    abstract String preset();

    /** Trains the library's representative models on small data made in the test. */
    abstract List<TrainedModel> train() throws Exception;

    final synchronized List<TrainedModel> models() throws Exception {
        if (models == null) {
            models = train();
        }
        return models;
    }

    final Stream<TrainedModel> modelStream() throws Exception {
        return models().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("modelStream")
    void readsBackUnderItsPresetAndPredictsAsBefore(TrainedModel model) throws Exception {
        RecordingPolicyFilter filter = RecordingPolicyFilter.forPreset(preset(), model.limits());
        Object read;
        try {
            read = model.readThrough(filter);
        } catch (InvalidClassException refused) {
            throw new AssertionError(whatThePresetMisses(model, filter), refused);
        }
        System.out.println("[" + preset() + "] " + filter.summary(model.name()));
        assertEquals(Set.of(), filter.rejectedClasses());
        assertEquals(model.expected(), model.predictor().predict(read));
    }

    /** Reads the model again allowing every class, to name all the classes the preset lacks. */
    private String whatThePresetMisses(TrainedModel model, RecordingPolicyFilter refusing) {
        RecordingPolicyFilter everything = RecordingPolicyFilter.allowingEverything();
        try {
            model.readThrough(everything);
        } catch (Exception e) {
            return "refused " + refusing.rejectedClasses() + "; reading it unfiltered failed too: " + e;
        }
        ClassPatterns allowed = Presets.defaultAllow().plus(Presets.preset(preset()));
        Set<String> missing = new TreeSet<>();
        for (String name : everything.classes()) {
            if (allowed.match(name) == null) {
                missing.add(name);
            }
        }
        return "preset " + preset() + " refused " + model.name() + ": " + refusing.rejectedClasses()
                + "; it lacks " + missing + "; limits " + refusing.limits() + "; unfiltered "
                + everything.summary(model.name());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("modelStream")
    void passesTheModelGateUnderItsPreset(TrainedModel model) throws Exception {
        // The gate also reads the fields a library turns into code or paths; a real model holds none.
        dev.safeload.model.ScanResult result = ModelGate.scan(model.bytes(),
                ModelGate.options(preset(), model.limits()));
        assertEquals(List.of(), result.findings().stream()
                .filter(f -> f.severity() != dev.safeload.model.Severity.INFO).toList(), result.toString());
        assertFalse(result.blocked(), result.toString());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("modelStream")
    void exceedsTheDefaultLimitsOnlyWhereMarked(TrainedModel model) throws Exception {
        RecordingPolicyFilter filter = RecordingPolicyFilter.forPreset(preset());
        if (model.limits().equals(SerialLimits.DEFAULTS)) {
            model.readThrough(filter);
        } else {
            assertThrows(InvalidClassException.class, () -> model.readThrough(filter),
                    model.name() + " is marked as needing " + model.limits()
                            + " but reads within the defaults; drop the mark");
            assertEquals(Set.of(), filter.rejectedClasses(), "refused for its classes, not its size");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("modelStream")
    void isRefusedWithoutItsPreset(TrainedModel model) {
        RecordingPolicyFilter filter = RecordingPolicyFilter.defaultsOnly();
        InvalidClassException refused = assertThrows(InvalidClassException.class,
                () -> model.readThrough(filter));
        assertTrue(refused.getMessage().contains("REJECTED"), refused.getMessage());
        assertFalse(filter.rejectedClasses().isEmpty());
    }

    @Test
    void everyPatternOfThePresetIsNeededByAModel() throws Exception {
        Set<String> seen = new TreeSet<>();
        for (TrainedModel model : models()) {
            RecordingPolicyFilter filter = RecordingPolicyFilter.forPreset(preset(), model.limits());
            model.readThrough(filter);
            seen.addAll(filter.classes());
        }
        ClassPatterns defaults = Presets.defaultAllow();
        List<String> unused = new ArrayList<>();
        for (String pattern : Presets.preset(preset()).patterns()) {
            ClassPatterns one = ClassPatterns.of(List.of(pattern));
            if (seen.stream().noneMatch(name -> one.match(name) != null && defaults.match(name) == null)) {
                unused.add(pattern);
            }
        }
        System.out.println("[" + preset() + "] classes read: " + seen);
        assertEquals(List.of(), unused, "patterns no model of " + preset() + " needs");
    }
}
