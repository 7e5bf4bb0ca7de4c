package dev.safeload.it.victim;

import java.lang.reflect.Constructor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * {@link Console}'s model-library commands, one call into each hooked library: a class of its
 * own, so the console loads a library's classes only when a command uses it.
 */
final class ModelCommands {

    private ModelCommands() {
    }

    /** {@code weka FILE}, {@code ort FILE}, {@code djl DIR} (an engine model's load), {@code store FILE} (model.hooks). */
    static String run(String command, String argument) {
        try {
            Object result = switch (command) {
                case "weka" -> weka.core.SerializationHelper.read(argument);
                case "ort" -> {
                    try (var session = ai.onnxruntime.OrtEnvironment.getEnvironment().createSession(argument)) {
                        yield session.getInputNames();
                    }
                }
                case "djl" -> {
                    // RpcModel: the one ai.djl.Model implementation in DJL's api jar; its constructor is package-private.
                    Constructor<?> make = Class.forName("ai.djl.engine.rpc.RpcModel").getDeclaredConstructor(String.class);
                    make.setAccessible(true);
                    ai.djl.Model model = (ai.djl.Model) make.newInstance("console");
                    model.load(Path.of(argument), "resnet", Map.of());
                    yield model.getModelPath();
                }
                case "store" -> {
                    try (var in = Files.newInputStream(Path.of(argument))) {
                        yield "bytes=" + ModelStore.load(in);
                    }
                }
                default -> throw new IllegalArgumentException(command);
            };
            return "RESULT ok " + result;
        } catch (Throwable e) {
            return "RESULT " + (String.valueOf(e.getMessage()).startsWith("safeload:") ? "refused " : "failed ")
                    + e.getClass().getName() + ": " + e.getMessage();
        }
    }
}
