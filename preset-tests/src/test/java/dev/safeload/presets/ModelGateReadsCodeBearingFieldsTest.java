package dev.safeload.presets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.safeload.model.Finding;
import dev.safeload.model.ScanResult;
import edu.stanford.nlp.ie.crf.CRFClassifier;
import edu.stanford.nlp.ling.CoreLabel;
import java.io.ByteArrayInputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import weka.classifiers.CostMatrix;
import weka.classifiers.functions.SMO;
import weka.classifiers.meta.CostSensitiveClassifier;
import weka.core.Attribute;
import weka.core.Instances;
import weka.filters.unsupervised.attribute.StringToWordVector;

/**
 * The model gate reads the string fields a library turns into code, a class to instantiate or
 * a path to open, and refuses the model whatever the class patterns allow. Each refusal has a
 * twin: the same model without Safeload really runs the code, and a model whose fields hold
 * what the library's own training writes passes.
 */
class ModelGateReadsCodeBearingFieldsTest {

    /** An operator who needs cost-sensitive models names the two classes the weka preset leaves out. */
    private static final String WEKA_WITH_COSTS = "serial.presets=weka,serial.allow="
            + "weka.classifiers.meta.CostSensitiveClassifier;weka.classifiers.CostMatrix";

    @Test
    void refusesCostExpressionCallingJavaEvenWhenTheOperatorAllowsCostMatrix(@TempDir Path dir) throws Exception {
        Path marker = dir.resolve("pwned");
        TrainedModel model = PresetsRefuseCodeBearingClassesTest.costSensitiveModelCalling(marker);

        ScanResult result = ModelGate.scan(model.bytes(), WEKA_WITH_COSTS);
        assertTrue(result.blocked(), result.toString());
        Finding finding = result.findings().get(0);
        assertEquals("serial.field.expression", finding.rule(), result.toString());
        assertTrue(finding.message().startsWith("weka.classifiers.CostMatrix.m_matrix holds \"ifelse(java("),
                finding.message());

        // Its twin: the class patterns alone let the same model through, and it runs.
        RecordingPolicyFilter classesOnly = RecordingPolicyFilter.allowing(
                dev.safeload.policy.Presets.preset("weka").plus(dev.safeload.policy.ClassPatterns.of(
                        List.of("weka.classifiers.meta.CostSensitiveClassifier", "weka.classifiers.CostMatrix"))));
        model.predictor().predict(model.readThrough(classesOnly));
        assertTrue(Files.exists(marker));
    }

    @Test
    void passesCostSensitiveModelWithNumericCosts() throws Exception {
        CostSensitiveClassifier classifier = new CostSensitiveClassifier();
        classifier.setMinimizeExpectedCost(true);
        CostMatrix costs = new CostMatrix(2);
        costs.setCell(0, 1, 2.0);
        costs.setCell(1, 0, 1.0);
        classifier.setCostMatrix(costs);
        classifier.buildClassifier(WekaPresetTest.numericRows(100, new Random(5), 0.1));

        ScanResult result = ModelGate.scan(TrainedModel.writeObject(classifier), WEKA_WITH_COSTS);
        assertFalse(result.blocked(), result.toString());
    }

    @Test
    void refusesCostExpressionWhoseJavaCallIsSpelledInAnotherCase() throws Exception {
        CostSensitiveClassifier classifier = new CostSensitiveClassifier();
        CostMatrix costs = new CostMatrix(2);
        costs.setCell(0, 1, "ifelse(JAVA ('weka.core.Debug', 'String getTempDir()') = '', 1, 2)");
        classifier.setCostMatrix(costs);
        ScanResult result = ModelGate.scan(TrainedModel.writeObject(classifier), WEKA_WITH_COSTS);
        assertTrue(result.blocked(), result.toString());
        assertEquals("serial.field.expression", result.findings().get(0).rule());
    }

    @Test
    void refusesSmoWhoseFilterWritesItsDictionaryAtPrediction(@TempDir Path dir) throws Exception {
        Path target = dir.resolve("written-by-the-model");
        Instances data = WekaPresetTest.numericRows(100, new Random(6), 0.1);
        SMO smo = new SMO();
        smo.buildClassifier(data);
        // SMO calls input() then batchFinished() on its m_Filter at every prediction. Planted
        // there: a StringToWordVector whose first batch is not done, with a dictionary file to
        // write. Its header matches the rows SMO hands it, so the row is taken.
        ArrayList<Attribute> header = new ArrayList<>();
        header.add(new Attribute("a1"));
        for (int i = 2; i <= 6; i++) {
            header.add(i < 6 ? new Attribute("a" + i) : new Attribute("class", List.of("yes", "no")));
        }
        Instances format = new Instances("numeric", header, 0);
        format.setClassIndex(5);
        StringToWordVector filter = new StringToWordVector();
        filter.setDictionaryFileToSaveTo(target.toFile());
        filter.setInputFormat(format);
        java.lang.reflect.Field planted = SMO.class.getDeclaredField("m_Filter");
        planted.setAccessible(true);
        planted.set(smo, filter);
        byte[] bytes = TrainedModel.writeObject(smo);

        ScanResult result = ModelGate.scan(bytes, "serial.presets=weka");
        assertTrue(result.blocked(), result.toString());
        assertEquals("serial.field.resource", result.findings().get(0).rule(), result.toString());
        assertTrue(result.findings().get(0).message().contains("m_dictionaryFile holds \"" + target), result.toString());

        // Its twin: without Safeload the first prediction truncates and rewrites the file.
        Files.writeString(target, "what the server kept here");
        SMO read = (SMO) new ObjectInputStream(new ByteArrayInputStream(bytes)).readObject();
        weka.core.DenseInstance row = new weka.core.DenseInstance(1.0, new double[] {0, 0.5, 0.5, 0.5, 0.5, 0});
        row.setDataset(data);
        try {
            read.distributionForInstance(row);
        } catch (Exception afterTheWrite) {
            // The planted filter's output does not fit SMO; the file is written before that.
        }
        assertEquals("", Files.readString(target), "Weka must really rewrite the file the model names");
    }

    @Test
    void refusesCrfWhoseFlagsNameAClassToInstantiate(@TempDir Path dir) throws Exception {
        CRFClassifier<CoreLabel> crf = CoreNlpPresetTest.trainCrf(dir);
        crf.flags.plainTextDocumentReaderAndWriter = ConstructionWitness.class.getName();
        byte[] bytes = serialize(crf);

        ScanResult result = ModelGate.scan(bytes, "serial.presets=corenlp");
        assertTrue(result.blocked(), result.toString());
        Finding finding = result.findings().get(0);
        assertEquals("serial.field.class-name", finding.rule(), result.toString());
        assertTrue(finding.message().contains("plainTextDocumentReaderAndWriter holds \""
                + ConstructionWitness.class.getName()),
                finding.message());

        // Its twin: CoreNLP builds the named class at the first prediction on plain text.
        ConstructionWitness.marker = dir.resolve("constructed");
        CRFClassifier<CoreLabel> read = CRFClassifier.getClassifier(new ObjectInputStream(new ByteArrayInputStream(bytes)));
        assertFalse(Files.exists(ConstructionWitness.marker), "reading alone builds nothing");
        try {
            read.classifyToString(CoreNlpPresetTest.SENTENCES.get(0));
        } catch (RuntimeException notAReader) {
            // The witness is no DocumentReaderAndWriter: what CoreNLP does next does not matter.
        }
        assertTrue(Files.exists(ConstructionWitness.marker), "CoreNLP must really have built the class");
    }

    @Test
    void refusesCrfWhoseFlagsNameALexiconToOpen(@TempDir Path dir) throws Exception {
        CRFClassifier<CoreLabel> crf = CoreNlpPresetTest.trainCrf(dir);
        Path lexicon = dir.resolve("clusters.txt");
        crf.flags.useDistSim = true;
        crf.flags.distSimLexicon = lexicon.toString();
        byte[] bytes = serialize(crf);

        ScanResult result = ModelGate.scan(bytes, "serial.presets=corenlp");
        assertTrue(result.blocked(), result.toString());
        assertEquals("serial.field.resource", result.findings().get(0).rule(), result.toString());

        // Its twin: CoreNLP opens the named file while it reads the classifier (here a missing
        // one, so that the failure names it).
        Exception missing = assertThrows(Exception.class, () -> CRFClassifier.getClassifier(
                new ObjectInputStream(new ByteArrayInputStream(bytes))));
        assertTrue(messages(missing).contains(lexicon.toString()),
                () -> "CoreNLP must try to open the lexicon the model names: " + messages(missing));
    }

    private static String messages(Throwable e) {
        StringBuilder all = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            all.append(t).append(" | ");
        }
        return all.toString();
    }

    private static byte[] serialize(CRFClassifier<CoreLabel> crf) throws Exception {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            crf.serializeClassifier(out);
        }
        return bytes.toByteArray();
    }
}
