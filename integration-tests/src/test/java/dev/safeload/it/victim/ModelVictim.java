package dev.safeload.it.victim;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/** Loads a model with a real ML library in a forked JVM, and prints one RESULT line. */
public final class ModelVictim {

    private ModelVictim() {
    }

    public static void main(String[] args) {
        String mode = args[0];
        try {
            String result = switch (mode) {
                case "ort-path" -> runOnnx(OrtEnvironment.getEnvironment().createSession(args[1]), args.length > 2);
                case "ort-bytes" -> runOnnx(OrtEnvironment.getEnvironment().createSession(Files.readAllBytes(Path.of(args[1]))),
                        args.length > 2);
                case "ort-custom-op" -> {
                    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
                        options.registerCustomOpLibrary(args[1]);
                    }
                    yield "registered";
                }
                case "weka-file" -> String.valueOf(weka.core.SerializationHelper.read(args[1]));
                case "model-store" -> {
                    try (var in = Files.newInputStream(Path.of(args[1]))) {
                        yield "bytes=" + ModelStore.load(in);
                    }
                }
                case "djl-criteria" -> {
                    var criteria = ai.djl.repository.zoo.Criteria.builder()
                            .setTypes(ai.djl.ndarray.NDList.class, ai.djl.ndarray.NDList.class)
                            .optModelPath(Path.of(args[1]))
                            .build();
                    yield String.valueOf(criteria.loadModel());
                }
                case "h2o-file" -> describeMojo(hex.genmodel.MojoModel.load(args[1]));
                case "h2o-stream" -> {
                    try (var in = Files.newInputStream(Path.of(args[1]))) {
                        yield describeMojo(hex.genmodel.ModelMojoReader.readFrom(hex.genmodel.MojoReaderBackendFactory
                                .createReaderBackend(in, hex.genmodel.MojoReaderBackendFactory.CachingStrategy.MEMORY)));
                    }
                }
                case "xgb-save" -> XGBoostModels.save(Path.of(args[1]));
                case "xgb-path" -> XGBoostModels.predict(ml.dmlc.xgboost4j.java.XGBoost.loadModel(args[1]));
                case "xgb-stream" -> {
                    try (var in = Files.newInputStream(Path.of(args[1]))) {
                        yield XGBoostModels.predict(ml.dmlc.xgboost4j.java.XGBoost.loadModel(in));
                    }
                }
                case "pmml-evaluate" -> {
                    var evaluator = new org.jpmml.evaluator.LoadingModelEvaluatorBuilder()
                            .load(new java.io.File(args[1])).build();
                    yield "y(3)=" + org.jpmml.evaluator.EvaluatorUtil.decodeAll(evaluator.evaluate(Map.of("x", 3.0))).get("y");
                }
                case "pmml-unmarshal" -> {
                    try (var in = Files.newInputStream(Path.of(args[1]))) {
                        yield org.jpmml.model.PMMLUtil.unmarshal(in).getModels().get(0).getClass().getSimpleName();
                    }
                }
                case "pmml-jaxb" -> {
                    try (var in = Files.newInputStream(Path.of(args[1]))) {
                        var pmml = (org.dmg.pmml.PMML) new org.jpmml.model.JAXBSerializer().deserialize(in);
                        var header = pmml.requireHeader();
                        yield pmml.getModels().get(0).getClass().getSimpleName()
                                + (header.getAnnotations().isEmpty() ? "" : " annotation=" + header.getAnnotations().get(0).getContent());
                    }
                }
                case "pmml-load-url" -> String.valueOf(org.jpmml.model.PMMLUtil.load(Path.of(args[1]).toUri().toURL()));
                case "dl4j-restore" -> String.valueOf(
                        org.deeplearning4j.util.ModelSerializer.restoreMultiLayerNetwork(new java.io.File(args[1])));
                case "smile-read" -> String.valueOf(smile.io.Read.object(Path.of(args[1])));
                case "corenlp-read" -> String.valueOf(
                        (Object) edu.stanford.nlp.io.IOUtils.readObjectFromURLOrClasspathOrFileSystem(args[1]));
                default -> throw new IllegalArgumentException(mode);
            };
            System.out.println("RESULT ok " + result);
        } catch (Throwable e) {
            System.out.println("RESULT " + (String.valueOf(e.getMessage()).startsWith("safeload:") ? "refused " : "failed ")
                    + e.getClass().getName() + ": " + e.getMessage());
        }
    }

    /** Scores x=5 and lists the levels the MOJO read for its categorical column. */
    private static String describeMojo(hex.genmodel.MojoModel model) {
        double[] preds = model.score0(new double[] {5, 0}, new double[1]);
        return "y(5)=" + preds[0] + " kind=" + Arrays.toString(model.getDomainValues(1));
    }

    /** Runs C = A + B; B is an input unless the model carries it as an initializer. */
    private static String runOnnx(OrtSession session, boolean bIsInitializer) throws Exception {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (session;
             OnnxTensor a = OnnxTensor.createTensor(env, FloatBuffer.wrap(new float[] {1f, 2f}), new long[] {2});
             OnnxTensor b = OnnxTensor.createTensor(env, FloatBuffer.wrap(new float[] {10f, 20f}), new long[] {2})) {
            Map<String, OnnxTensor> inputs = bIsInitializer ? Map.of("A", a) : Map.of("A", a, "B", b);
            try (OrtSession.Result out = session.run(inputs)) {
                return "C=" + Arrays.toString((float[]) out.get(0).getValue());
            }
        }
    }
}
