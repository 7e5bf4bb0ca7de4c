package dev.safeload.it.victim;

import java.util.ArrayList;
import java.util.List;
import weka.classifiers.Classifier;
import weka.core.Attribute;
import weka.core.DenseInstance;
import weka.core.Instances;

/** Trains and queries the small Weka model the benign-traffic tests load. */
public final class WekaPrediction {

    private WekaPrediction() {
    }

    public static Instances header() {
        ArrayList<Attribute> attributes = new ArrayList<>();
        attributes.add(new Attribute("x"));
        attributes.add(new Attribute("y"));
        attributes.add(new Attribute("label", List.of("neg", "pos")));
        Instances data = new Instances("points", attributes, 0);
        data.setClassIndex(2);
        return data;
    }

    public static Classifier train() throws Exception {
        Instances data = header();
        java.util.Random random = new java.util.Random(7);
        for (int i = 0; i < 200; i++) {
            double x = random.nextDouble();
            double y = random.nextDouble();
            data.add(new DenseInstance(1.0, new double[] {x, y, x + y > 1 ? 1 : 0}));
        }
        weka.classifiers.trees.J48 tree = new weka.classifiers.trees.J48();
        tree.buildClassifier(data);
        return tree;
    }

    /** The label for (0.9, 0.9), which any sane model of x + y > 1 calls pos. */
    public static String predict(Object model) throws Exception {
        Instances data = header();
        DenseInstance row = new DenseInstance(1.0, new double[] {0.9, 0.9, 0});
        row.setDataset(data);
        double label = ((Classifier) model).classifyInstance(row);
        return "prediction=" + data.classAttribute().value((int) label);
    }
}
