package dev.safeload.it.victim;

import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.DMatrix;
import ml.dmlc.xgboost4j.java.XGBoost;
import ml.dmlc.xgboost4j.java.XGBoostError;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/** Trains a tiny XGBoost regression with the real library, saves it in each format, and predicts with a loaded one. */
final class XGBoostModels {

    private XGBoostModels() {
    }

    private static DMatrix rows() throws XGBoostError {
        DMatrix m = new DMatrix(new float[] {0, 1, 1, 0, 1, 1, 0, 0, 2, 1, 1, 2}, 6, 2, Float.NaN);
        m.setLabel(new float[] {1, 1, 2, 0, 3, 3});
        return m;
    }

    /** Writes model.json, model.ubj and model.deprecated (the legacy binary format) into {@code dir}. */
    static String save(Path dir) throws XGBoostError, IOException {
        Map<String, Object> params = new HashMap<>();
        params.put("max_depth", 2);
        params.put("eta", 1.0);
        params.put("objective", "reg:squarederror");
        Booster booster = XGBoost.train(rows(), params, 2, new HashMap<>(), null, null);
        booster.saveModel(dir.resolve("model.json").toString());
        booster.saveModel(dir.resolve("model.ubj").toString());
        try (OutputStream out = Files.newOutputStream(dir.resolve("model.deprecated"))) {
            booster.saveModel(out, "deprecated");
        }
        return predict(booster);
    }

    static String predict(Booster booster) throws XGBoostError {
        System.out.println("loaded"); // a crash in predict still shows the model was accepted
        System.out.flush();
        return "pred=" + Arrays.deepToString(booster.predict(rows()));
    }
}
