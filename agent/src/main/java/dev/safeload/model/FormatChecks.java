package dev.safeload.model;

import dev.safeload.model.compress.Codec;
import dev.safeload.model.compress.CompressedCheck;
import dev.safeload.model.dl4j.Dl4jCheck;
import dev.safeload.model.gguf.GgufCheck;
import dev.safeload.model.h2o.H2oMojoCheck;
import dev.safeload.model.javaserial.JavaSerialCheck;
import dev.safeload.model.keras.KerasH5Check;
import dev.safeload.model.keras.KerasV3Check;
import dev.safeload.model.numpy.NpyCheck;
import dev.safeload.model.numpy.NpzCheck;
import dev.safeload.model.onnx.OnnxCheck;
import dev.safeload.model.pickle.JoblibCheck;
import dev.safeload.model.pickle.PickleCheck;
import dev.safeload.model.pmml.PmmlCheck;
import dev.safeload.model.safetensors.SafetensorsCheck;
import dev.safeload.model.tensorflow.TensorflowCheck;
import dev.safeload.model.torch.TorchLegacyCheck;
import dev.safeload.model.torch.TorchLegacyTarCheck;
import dev.safeload.model.torch.TorchZipCheck;
import dev.safeload.model.xgboost.XGBoostCheck;
import java.util.ArrayList;
import java.util.List;

/** The registry of format checks: a new format is one line here. */
public final class FormatChecks {

    private FormatChecks() {
    }

    /** A fresh instance of every check, in the order the scanner runs them. */
    public static List<FormatCheck> all() {
        List<FormatCheck> checks = new ArrayList<>();
        // Pickle family
        checks.add(new PickleCheck());
        checks.add(new JoblibCheck());
        checks.add(new TorchLegacyCheck());
        checks.add(new TorchLegacyTarCheck());
        checks.add(TorchZipCheck.pytorchZip());
        checks.add(TorchZipCheck.torchScript());
        // NumPy
        checks.add(NpyCheck.numeric());
        checks.add(NpyCheck.objects());
        checks.add(new NpzCheck());
        // Compression around any of them (joblib's compressors, compressed pickles)
        for (Codec codec : Codec.values()) {
            checks.add(new CompressedCheck(codec));
        }
        // Formats without code, and Java serialization judged by the serial policy
        checks.add(new SafetensorsCheck());
        checks.add(new GgufCheck());
        checks.add(new OnnxCheck());
        checks.add(TensorflowCheck.savedModel());
        checks.add(TensorflowCheck.graphDef());
        checks.add(new KerasH5Check());
        checks.add(new KerasV3Check());
        checks.add(new JavaSerialCheck());
        // JVM model libraries' own formats
        checks.add(new H2oMojoCheck());
        checks.add(new XGBoostCheck());
        checks.add(new PmmlCheck());
        checks.add(new Dl4jCheck());
        return checks;
    }
}
