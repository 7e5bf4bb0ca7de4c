package dev.safeload.presets;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.tribuo.Dataset;
import org.tribuo.Example;
import org.tribuo.Model;
import org.tribuo.MutableDataset;
import org.tribuo.Output;
import org.tribuo.Trainer;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.classification.dtree.CARTClassificationTrainer;
import org.tribuo.classification.ensemble.VotingCombiner;
import org.tribuo.classification.sgd.linear.LogisticRegressionTrainer;
import org.tribuo.common.tree.RandomForestTrainer;
import org.tribuo.data.csv.CSVLoader;
import org.tribuo.impl.ArrayExample;
import org.tribuo.math.optimisers.AdaGrad;
import org.tribuo.provenance.SimpleDataSourceProvenance;
import org.tribuo.regression.RegressionFactory;
import org.tribuo.regression.Regressor;
import org.tribuo.regression.rtree.CARTRegressionTrainer;
import org.tribuo.regression.sgd.linear.LinearSGDTrainer;
import org.tribuo.regression.sgd.objectives.SquaredLoss;

/** The tribuo preset against Tribuo models in their legacy form, written with ObjectOutputStream. */
class TribuoPresetTest extends PresetContract {

    private static final String[] FEATURES = {"x1", "x2", "x3", "x4", "x5"};

    @Override
    String preset() {
        return "tribuo";
    }

    @Override
    List<TrainedModel> train() throws Exception {
        Random random = new Random(21);
        LabelFactory labels = new LabelFactory();
        RegressionFactory regressors = new RegressionFactory();
        MutableDataset<Label> classes = new MutableDataset<>(
                new SimpleDataSourceProvenance("synthetic classes", labels), labels);
        MutableDataset<Regressor> values = new MutableDataset<>(
                new SimpleDataSourceProvenance("synthetic values", regressors), regressors);
        for (int r = 0; r < 2000; r++) {
            double[] x = new double[FEATURES.length];
            for (int i = 0; i < x.length; i++) {
                x[i] = random.nextDouble();
            }
            boolean yes = x[0] + x[1] * x[2] > 0.7 ^ random.nextDouble() < 0.1;
            classes.add(new ArrayExample<>(new Label(yes ? "yes" : "no"), FEATURES, x));
            double y = 3 * x[0] - 2 * x[3] + random.nextGaussian() * 0.1;
            values.add(new ArrayExample<>(new Regressor("y", y), FEATURES, x));
        }

        return List.of(
                // Unlimited depth: the deepest tree Tribuo grows.
                trained("CART classification tree, unlimited depth",
                        new CARTClassificationTrainer(Integer.MAX_VALUE), classes),
                trained("RandomForest of 20 CART trees", new RandomForestTrainer<>(
                        new CARTClassificationTrainer(Integer.MAX_VALUE, 0.5f, 7L), new VotingCombiner(), 20, 7L),
                        classes),
                trained("LogisticRegression (linear SGD)", new LogisticRegressionTrainer(), classes),
                trained("LogisticRegression on a CSV file (CSVLoader)", new LogisticRegressionTrainer(), csvRows()),
                trained("CART regression tree", new CARTRegressionTrainer(12), values),
                trained("linear SGD regression", new LinearSGDTrainer(
                        new SquaredLoss(), new AdaGrad(0.1), 5, 1L), values));
    }

    /** Two features and a label in a CSV file, loaded as Tribuo's tutorials load data. */
    private static MutableDataset<Label> csvRows() throws Exception {
        Path csv = Files.createTempFile("tribuo-preset", ".csv");
        try {
            StringBuilder rows = new StringBuilder("x1,x2,label\n");
            Random random = new Random(5);
            for (int r = 0; r < 200; r++) {
                double x1 = random.nextDouble();
                double x2 = random.nextDouble();
                rows.append(x1).append(',').append(x2).append(',').append(x1 > x2 ? "yes" : "no").append('\n');
            }
            Files.writeString(csv, rows);
            return new MutableDataset<>(new CSVLoader<>(new LabelFactory()).loadDataSource(csv, "label"));
        } finally {
            Files.delete(csv);
        }
    }

    private static <T extends Output<T>> TrainedModel trained(String name, Trainer<T> trainer, Dataset<T> data)
            throws Exception {
        Model<T> trained = trainer.train(data);
        List<Example<T>> heldOut = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            heldOut.add(data.getExample(i));
        }
        return TrainedModel.javaSerialized(name, trained, model -> {
            List<String> out = new ArrayList<>();
            @SuppressWarnings("unchecked")
            Model<T> typed = (Model<T>) model;
            for (Example<T> example : heldOut) {
                out.add(typed.predict(example).getOutput().toString());
            }
            return out;
        });
    }
}
