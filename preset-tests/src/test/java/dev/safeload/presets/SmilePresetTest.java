package dev.safeload.presets;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import smile.base.cart.SplitRule;
import smile.classification.DataFrameClassifier;
import smile.classification.DecisionTree;
import smile.classification.GradientTreeBoost;
import smile.classification.LogisticRegression;
import smile.classification.RandomForest;
import smile.data.DataFrame;
import smile.data.formula.Formula;
import smile.data.measure.NominalScale;
import smile.data.type.DataTypes;
import smile.data.type.StructField;
import smile.data.vector.DoubleVector;
import smile.data.vector.IntVector;
import smile.regression.DataFrameRegression;
import smile.regression.OLS;

/** The smile preset against Smile models written with a plain ObjectOutputStream. */
class SmilePresetTest extends PresetContract {

    private static final String[] FEATURES = {"x1", "x2", "x3", "x4", "x5"};

    @Override
    String preset() {
        return "smile";
    }

    @Override
    List<TrainedModel> train() throws Exception {
        Random random = new Random(11);
        int n = 2000;
        double[][] x = new double[n][FEATURES.length];
        int[] label = new int[n];
        double[] target = new double[n];
        for (int r = 0; r < n; r++) {
            for (int i = 0; i < FEATURES.length; i++) {
                x[r][i] = random.nextDouble();
            }
            label[r] = x[r][0] + x[r][1] * x[r][2] > 0.7 ^ random.nextDouble() < 0.1 ? 1 : 0;
            target[r] = 3 * x[r][0] - 2 * x[r][3] + random.nextGaussian() * 0.1;
        }
        DataFrame features = DataFrame.of(x, FEATURES);
        DataFrame classes = features.merge(IntVector.of("y", label));
        // As a frame read from CSV holds a string label: an int column with a nominal scale.
        DataFrame named = features.merge(IntVector.of(
                new StructField("y", DataTypes.IntegerType, new NominalScale("negative", "positive")), label));
        DataFrame values = features.merge(DoubleVector.of("y", target));
        Formula formula = Formula.lhs("y");
        DataFrame heldOut = features.slice(0, 40);

        return List.of(
                classifier("DecisionTree", DecisionTree.fit(formula, classes), heldOut),
                // Unlimited depth and node count: the deepest trees Smile grows.
                classifier("RandomForest, 50 unpruned trees", RandomForest.fit(formula, classes,
                        50, 2, SplitRule.GINI, Integer.MAX_VALUE, Integer.MAX_VALUE, 1, 1.0), heldOut),
                classifier("GradientTreeBoost", GradientTreeBoost.fit(formula, classes,
                        50, 6, 20, 5, 0.05, 0.7), heldOut),
                classifier("RandomForest, nominal label", RandomForest.fit(formula, named,
                        20, 2, SplitRule.GINI, 20, 500, 5, 1.0), heldOut),
                TrainedModel.javaSerialized("LogisticRegression", LogisticRegression.fit(x, label),
                        model -> {
                            List<Integer> out = new ArrayList<>();
                            for (int r = 0; r < 40; r++) {
                                out.add(((LogisticRegression) model).predict(x[r]));
                            }
                            return out;
                        }),
                regression("OLS", OLS.fit(formula, values), heldOut),
                regression("RandomForest regression", smile.regression.RandomForest.fit(formula, values,
                        20, 2, 20, 500, 5, 1.0), heldOut));
    }

    private static TrainedModel regression(String name, DataFrameRegression regression, DataFrame heldOut)
            throws Exception {
        return TrainedModel.javaSerialized(name, regression, model -> {
            List<Double> out = new ArrayList<>();
            for (int r = 0; r < heldOut.nrow(); r++) {
                out.add(((DataFrameRegression) model).predict(heldOut.get(r)));
            }
            return out;
        });
    }

    private static TrainedModel classifier(String name, DataFrameClassifier classifier, DataFrame heldOut)
            throws Exception {
        return TrainedModel.javaSerialized(name, classifier, model -> {
            List<Integer> out = new ArrayList<>();
            for (int r = 0; r < heldOut.nrow(); r++) {
                out.add(((DataFrameClassifier) model).predict(heldOut.get(r)));
            }
            return out;
        });
    }
}
