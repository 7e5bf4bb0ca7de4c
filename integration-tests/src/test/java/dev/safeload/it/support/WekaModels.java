package dev.safeload.it.support;

import dev.safeload.it.victim.WekaPrediction;
import java.io.File;
import java.nio.file.Path;
import weka.classifiers.CostMatrix;
import weka.classifiers.meta.CostSensitiveClassifier;
import weka.classifiers.misc.SerializedClassifier;
import weka.classifiers.trees.J48;
import weka.core.Instances;

/**
 * Real Weka models, trained in the test JVM and serialized there, that make Weka run code or
 * open a file the model names at their first prediction. None of them is read in the test JVM.
 */
public final class WekaModels {

    private WekaModels() {
    }

    /**
     * A CostSensitiveClassifier trained with numeric costs, one of which is then replaced by an
     * expression. Weka compiles it at the first prediction with its expression language, whose
     * java(...) macro calls the public static weka.core.Debug.writeToFile(String, String).
     */
    public static byte[] costExpressionCalling(String marker) throws Exception {
        CostSensitiveClassifier classifier = new CostSensitiveClassifier();
        classifier.setClassifier(new J48());
        classifier.setMinimizeExpectedCost(true);
        CostMatrix costs = new CostMatrix(2);
        costs.setCell(0, 1, 1.0);
        costs.setCell(1, 0, 1.0);
        classifier.setCostMatrix(costs);
        classifier.buildClassifier(trainingData());
        classifier.getCostMatrix().setCell(0, 1, "ifelse(java('weka.core.Debug',"
                + " 'boolean writeToFile(String, String)', '" + marker + "', 'pwned'), 1, 1)");
        return Payloads.serialize(classifier);
    }

    /** The same classifier with its numeric costs only: what a user of cost-sensitive models keeps. */
    public static byte[] costNumbersOnly() throws Exception {
        CostSensitiveClassifier classifier = new CostSensitiveClassifier();
        classifier.setClassifier(new J48());
        classifier.setMinimizeExpectedCost(true);
        CostMatrix costs = new CostMatrix(2);
        costs.setCell(0, 1, 1.0);
        costs.setCell(1, 0, 1.0);
        classifier.setCostMatrix(costs);
        classifier.buildClassifier(trainingData());
        return Payloads.serialize(classifier);
    }

    /**
     * A SerializedClassifier: a stand-in that, at its first prediction, reads the model it
     * predicts with from the file it names. {@code file} must not exist yet: setModelFile reads
     * an existing file at once, and the test JVM never deserializes a payload.
     */
    public static byte[] loadingModelFrom(Path file) throws Exception {
        if (java.nio.file.Files.exists(file)) {
            throw new IllegalArgumentException(file + " exists; write it after building the model");
        }
        SerializedClassifier classifier = new SerializedClassifier();
        classifier.setModelFile(new File(file.toString()));
        return Payloads.serialize(classifier);
    }

    /**
     * A real SMO with a StringToWordVector planted in its m_Filter, first batch not done and a
     * dictionary file set. SMO calls batchFinished() on m_Filter at every prediction, so the
     * first prediction truncates {@code file} and writes the filter's dictionary into it. Both
     * classes are in the weka preset: only the field's value tells this model from a real one.
     */
    public static byte[] smoWritingDictionaryTo(Path file) throws Exception {
        return smoWithTextFilter(new File(file.toString()));
    }

    /**
     * The planted filter of {@link #smoWritingDictionaryTo} first, on its own, inside a
     * {@code Swallower}, then the SMO, whose m_Filter is written as a back-reference to it.
     */
    public static byte[] smoWritingDictionaryToBehindASwallowedRead(Path file) throws Exception {
        weka.classifiers.functions.SMO smo = smoFilteringWith(new File(file.toString()));
        java.lang.reflect.Field planted = weka.classifiers.functions.SMO.class.getDeclaredField("m_Filter");
        planted.setAccessible(true);
        return Payloads.serialize(new dev.safeload.it.victim.Swallower(planted.get(smo), smo));
    }

    /** The same SMO and StringToWordVector, with Weka's default "-- set me --" dictionary file: a real model. */
    public static byte[] smoWithTextFilterSavingNoDictionary() throws Exception {
        return smoWithTextFilter(null);
    }

    private static byte[] smoWithTextFilter(File dictionary) throws Exception {
        return Payloads.serialize(smoFilteringWith(dictionary));
    }

    private static weka.classifiers.functions.SMO smoFilteringWith(File dictionary) throws Exception {
        weka.classifiers.functions.SMO smo = new weka.classifiers.functions.SMO();
        smo.buildClassifier(trainingData());
        weka.filters.unsupervised.attribute.StringToWordVector filter =
                new weka.filters.unsupervised.attribute.StringToWordVector();
        if (dictionary != null) {
            filter.setDictionaryFileToSaveTo(dictionary);
        }
        filter.setInputFormat(WekaPrediction.header());
        java.lang.reflect.Field planted = weka.classifiers.functions.SMO.class.getDeclaredField("m_Filter");
        planted.setAccessible(true);
        planted.set(smo, filter);
        return smo;
    }

    private static Instances trainingData() throws Exception {
        Instances data = WekaPrediction.header();
        java.util.Random random = new java.util.Random(7);
        for (int i = 0; i < 200; i++) {
            double x = random.nextDouble();
            double y = random.nextDouble();
            data.add(new weka.core.DenseInstance(1.0, new double[] {x, y, x + y > 1 ? 1 : 0}));
        }
        return data;
    }
}
