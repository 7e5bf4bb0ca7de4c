package dev.safeload.presets;

import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import dev.safeload.policy.SerialLimits;
import weka.classifiers.Classifier;
import weka.classifiers.bayes.NaiveBayes;
import weka.classifiers.bayes.NaiveBayesMultinomial;
import weka.classifiers.functions.Logistic;
import weka.classifiers.functions.SMO;
import weka.classifiers.lazy.IBk;
import weka.classifiers.meta.AttributeSelectedClassifier;
import weka.classifiers.meta.FilteredClassifier;
import weka.classifiers.trees.J48;
import weka.classifiers.trees.RandomForest;
import weka.core.Attribute;
import weka.core.DenseInstance;
import weka.core.Instance;
import weka.core.Instances;
import weka.core.SerializationHelper;
import weka.filters.unsupervised.attribute.StringToWordVector;

/** The weka preset against models written by {@code weka.core.SerializationHelper}. */
class WekaPresetTest extends PresetContract {

    private static final String[] WORDS = {"alpha", "beta", "gamma", "delta", "model", "tree",
        "forest", "bayes", "vector", "label", "weight", "train", "test", "score"};

    @Override
    String preset() {
        return "weka";
    }

    @Override
    List<TrainedModel> train() throws Exception {
        Instances numeric = numericRows(400, new Random(1), 0.1);
        Instances large = numericRows(10_000, new Random(2), 0.1);
        Instances text = textRows(300, new Random(3));

        J48 j48 = new J48();
        RandomForest forest = new RandomForest();
        forest.setNumIterations(20);
        RandomForest defaultForest = new RandomForest(); // 100 unpruned trees, as Weka ships it
        SMO smo = new SMO();
        FilteredClassifier textClassifier = new FilteredClassifier();
        textClassifier.setFilter(new StringToWordVector());
        textClassifier.setClassifier(new NaiveBayesMultinomial());

        return List.of(
                trained("J48", j48, numeric),
                trained("RandomForest, 20 trees", forest, numeric),
                // Finding: Weka's default forest on 10,000 rows with 10% label noise reads
                // with depth 109 and 1.13 million references, past both defaults.
                trained("RandomForest, 100 trees, 10000 rows", defaultForest, large)
                        .needing(new SerialLimits(128, 2_000_000, SerialLimits.DEFAULT_MAX_BYTES,
                                SerialLimits.DEFAULT_MAX_ARRAY)),
                trained("NaiveBayes", new NaiveBayes(), numeric),
                trained("Logistic", new Logistic(), numeric),
                trained("SMO", smo, numeric),
                trained("IBk", new IBk(3), numeric),
                trained("AttributeSelectedClassifier(CfsSubsetEval, BestFirst, J48)",
                        new AttributeSelectedClassifier(), numeric),
                trained("FilteredClassifier(StringToWordVector, NaiveBayesMultinomial)", textClassifier, text));
    }

    private static TrainedModel trained(String name, Classifier classifier, Instances data) throws Exception {
        classifier.buildClassifier(data);
        Instances heldOut = new Instances(data, 0, 40);
        TrainedModel.Predictor predictor = model -> {
            List<Double> out = new ArrayList<>();
            for (Instance row : heldOut) {
                for (double p : ((Classifier) model).distributionForInstance(row)) {
                    out.add(p);
                }
            }
            return out;
        };
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        SerializationHelper.write(bytes, classifier);
        return new TrainedModel(name, bytes.toByteArray(), predictor.predict(classifier),
                SerializationHelper::getObjectInputStream, ObjectInputStream::readObject, predictor);
    }

    /** Five numeric features; the class follows a1 + a2 * a3, flipped for a share of rows. */
    static Instances numericRows(int n, Random random, double noise) {
        ArrayList<Attribute> attributes = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            attributes.add(new Attribute("a" + i));
        }
        attributes.add(new Attribute("class", List.of("yes", "no")));
        Instances data = new Instances("numeric", attributes, n);
        data.setClassIndex(5);
        for (int r = 0; r < n; r++) {
            double[] values = new double[6];
            for (int i = 0; i < 5; i++) {
                values[i] = random.nextDouble();
            }
            boolean yes = values[0] + values[1] * values[2] > 0.7 ^ random.nextDouble() < noise;
            values[5] = yes ? 0 : 1;
            data.add(new DenseInstance(1, values));
        }
        return data;
    }

    /** Short documents of random words; the class is whether "tree" or "forest" occurs. */
    private static Instances textRows(int n, Random random) {
        ArrayList<Attribute> attributes = new ArrayList<>();
        attributes.add(new Attribute("text", (List<String>) null));
        attributes.add(new Attribute("topic", List.of("trees", "other")));
        Instances data = new Instances("text", attributes, n);
        data.setClassIndex(1);
        for (int r = 0; r < n; r++) {
            StringBuilder doc = new StringBuilder();
            for (int w = 0; w < 6; w++) {
                doc.append(WORDS[random.nextInt(WORDS.length)]).append(' ');
            }
            String s = doc.toString();
            double[] values = new double[2];
            values[0] = data.attribute(0).addStringValue(s);
            values[1] = s.contains("tree") || s.contains("forest") ? 0 : 1;
            data.add(new DenseInstance(1, values));
        }
        return data;
    }
}
