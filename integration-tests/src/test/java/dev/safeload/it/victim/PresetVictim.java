package dev.safeload.it.victim;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * An inference server of a preset's library in a forked JVM: loads a model file the way the
 * library does and makes one prediction with it, then prints one {@code RESULT} line.
 */
public final class PresetVictim {

    private PresetVictim() {
    }

    public static void main(String[] args) {
        String mode = args[0];
        Path file = Path.of(args[1]);
        try {
            Object model = switch (mode) {
                // SerializationHelper.read(String): the model gate checks the file, then the
                // stream guard checks the stream.
                case "weka-file" -> weka.core.SerializationHelper.read(file.toString());
                // SerializationHelper.read(InputStream): only the stream guard sees it.
                case "weka-stream" -> {
                    try (InputStream in = Files.newInputStream(file)) {
                        yield weka.core.SerializationHelper.read(in);
                    }
                }
                // A plain ObjectInputStream over any stream: only the stream guard sees it.
                case "weka-ois" -> {
                    try (java.io.ObjectInputStream in = new java.io.ObjectInputStream(Files.newInputStream(file))) {
                        yield in.readObject();
                    }
                }
                // A host class that swallows a refused nested read, then takes the model from a back-reference.
                case "weka-swallowed" -> {
                    try (java.io.ObjectInputStream in = new java.io.ObjectInputStream(Files.newInputStream(file))) {
                        yield ((Swallower) in.readObject()).second();
                    }
                }
                default -> throw new IllegalArgumentException("unknown mode " + mode);
            };
            System.out.println("RESULT ok " + WekaPrediction.predict(model));
        } catch (Throwable e) {
            boolean refused = e instanceof java.io.InvalidClassException
                    || String.valueOf(e.getMessage()).startsWith("safeload:");
            System.out.println("RESULT " + (refused ? "refused " : "failed ") + e.getClass().getName() + ": "
                    + e.getMessage());
        }
    }
}
