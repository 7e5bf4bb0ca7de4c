package dev.safeload.presets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.safeload.policy.Presets;
import dev.safeload.policy.SerialLimits;
import dev.safeload.policy.SerialPolicy;
import java.io.InvalidClassException;
import java.io.ObjectInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import weka.classifiers.CostMatrix;
import weka.classifiers.meta.CostSensitiveClassifier;
import weka.core.DenseInstance;
import weka.core.Instances;

/**
 * No preset admits a class that runs data from the model as code or opens a resource it names
 * (README, "What the presets leave out"), and no preset can be widened by a class that nobody
 * reviewed: every entry names one class.
 */
class PresetsRefuseCodeBearingClassesTest {

    /**
     * The classes of each preset's library, found by reading the real jars, that interpret a
     * field as an expression, a class name, or a file or URL to open. Every one of them was
     * admitted by the wildcards the presets used to hold.
     */
    private static final Map<String, List<String>> CODE_BEARING = Map.of(
            "weka", List.of(
                    "weka.classifiers.CostMatrix",
                    "weka.classifiers.CostMatrix$InstanceExpression",
                    "weka.classifiers.meta.CostSensitiveClassifier",
                    "weka.filters.unsupervised.attribute.MathExpression",
                    "weka.filters.unsupervised.attribute.AddExpression",
                    "weka.filters.unsupervised.instance.SubsetByExpression",
                    "weka.filters.unsupervised.attribute.KernelFilter",
                    "weka.filters.unsupervised.attribute.NumericTransform",
                    "weka.filters.unsupervised.attribute.AddCluster",
                    "weka.filters.supervised.attribute.AddClassification",
                    "weka.classifiers.misc.SerializedClassifier",
                    "weka.classifiers.misc.InputMappedClassifier",
                    "weka.classifiers.meta.Vote",
                    "weka.classifiers.functions.supportVector.PrecomputedKernelMatrixKernel",
                    "weka.attributeSelection.ClassifierSubsetEval",
                    "weka.core.stopwords.WordsFromFile",
                    "weka.core.stopwords.RegExpFromFile",
                    "weka.core.stemmers.SnowballStemmer",
                    "weka.core.Debug",
                    "weka.core.Debug$SimpleLog",
                    "weka.core.Debug$Log",
                    "weka.core.SerializedObject",
                    "weka.core.expressionlanguage.common.JavaMacro",
                    "weka.core.expressionlanguage.parser.Parser"),
            "corenlp", List.of(
                    "edu.stanford.nlp.ling.tokensregex.TokenSequencePattern",
                    "edu.stanford.nlp.ling.tokensregex.SequencePattern",
                    "edu.stanford.nlp.ling.tokensregex.Env",
                    "edu.stanford.nlp.ling.tokensregex.CoreMapExpressionExtractor",
                    "edu.stanford.nlp.pipeline.StanfordCoreNLP",
                    "edu.stanford.nlp.pipeline.TokensRegexAnnotator",
                    "edu.stanford.nlp.sequences.PlainTextDocumentReaderAndWriter",
                    "edu.stanford.nlp.sequences.ColumnTabDocumentReaderWriter",
                    "edu.stanford.nlp.sequences.CoNLLDocumentReaderAndWriter",
                    "edu.stanford.nlp.classify.ColumnDataClassifier",
                    "edu.stanford.nlp.classify.LogisticClassifier",
                    "edu.stanford.nlp.classify.SVMLightClassifierFactory",
                    "edu.stanford.nlp.ling.BasicDocument",
                    "edu.stanford.nlp.ling.AnnotationLookup"),
            "smile", List.of(
                    "smile.data.type.ObjectType",
                    "smile.math.matrix.SparseMatrix"),
            "tribuo", List.of(
                    "org.tribuo.data.csv.CSVDataSource",
                    "org.tribuo.data.csv.CSVLoader",
                    "org.tribuo.MutableDataset",
                    "org.tribuo.ImmutableDataset",
                    "com.oracle.labs.mlrg.olcut.provenance.primitives.URLProvenance",
                    "com.oracle.labs.mlrg.olcut.provenance.ProvenanceUtil"));

    static List<String> presets() {
        return Presets.NAMES;
    }

    private static SerialPolicy policyOf(String preset) {
        return new SerialPolicy(Presets.defaultAllow().plus(Presets.preset(preset)), Presets.gadgetDeny(),
                SerialLimits.DEFAULTS);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("presets")
    void allowsNoClassThatRunsModelDataAsCode(String preset) throws Exception {
        List<String> allowed = new ArrayList<>();
        for (String name : CODE_BEARING.get(preset)) {
            // A misspelt entry would pass for the wrong reason: each must be a real class of the library.
            Class.forName(name, false, getClass().getClassLoader());
            if (policyOf(preset).decideName(name).allowed()) {
                allowed.add(name);
            }
        }
        assertEquals(List.of(), allowed);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("presets")
    void namesEachClassOneByOne(String preset) {
        for (String pattern : Presets.preset(preset).patterns()) {
            assertFalse(pattern.contains("*"), preset + ": pattern " + pattern + " admits classes nobody"
                    + " reviewed, including any a later release of the library adds to the package");
        }
    }

    @Test
    void refusesCostSensitiveClassifierWhoseCostIsAJavaCall(@TempDir Path dir) throws Exception {
        Path marker = dir.resolve("pwned");
        TrainedModel model = costSensitiveModelCalling(marker);

        model.readThrough(RecordingPolicyFilter.allowingEverything()); // reading alone runs nothing
        assertFalse(Files.exists(marker));
        model.predictor().predict(model.readThrough(RecordingPolicyFilter.allowingEverything()));
        assertTrue(Files.exists(marker), "without a filter the first prediction writes the file");
        Files.delete(marker);

        RecordingPolicyFilter weka = RecordingPolicyFilter.forPreset("weka");
        assertThrows(InvalidClassException.class, () -> model.readThrough(weka));
        assertTrue(weka.rejectedClasses().contains("weka.classifiers.meta.CostSensitiveClassifier"),
                weka.rejectedClasses().toString());
        assertFalse(Files.exists(marker));
    }

    /**
     * A real CostSensitiveClassifier trained with numeric costs, one of which is then replaced by
     * an expression: Weka compiles it at the first prediction, and its java(...) macro calls the
     * public static weka.core.Debug.writeToFile(String, String).
     */
    static TrainedModel costSensitiveModelCalling(Path marker) throws Exception {
        Instances data = WekaPresetTest.numericRows(100, new java.util.Random(4), 0.1);
        CostSensitiveClassifier classifier = new CostSensitiveClassifier();
        classifier.setMinimizeExpectedCost(true);
        CostMatrix costs = new CostMatrix(2);
        costs.setCell(0, 1, 1.0);
        costs.setCell(1, 0, 1.0);
        classifier.setCostMatrix(costs);
        classifier.buildClassifier(data);
        classifier.getCostMatrix().setCell(0, 1, "ifelse(java('weka.core.Debug',"
                + " 'boolean writeToFile(String, String)', '" + marker + "', 'pwned'), 1, 1)");
        byte[] bytes = TrainedModel.writeObject(classifier);
        DenseInstance row = new DenseInstance(1.0, new double[] {0.9, 0.9, 0.9, 0.9, 0.9, 0});
        row.setDataset(data);
        return new TrainedModel("CostSensitiveClassifier(java(...) cost)", bytes, List.of(),
                ObjectInputStream::new, ObjectInputStream::readObject,
                read -> List.of(((weka.classifiers.Classifier) read).classifyInstance(row)));
    }
}
