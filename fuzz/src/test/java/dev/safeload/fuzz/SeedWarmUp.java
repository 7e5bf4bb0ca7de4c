package dev.safeload.fuzz;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;

/**
 * Runs a target's committed inputs once before libFuzzer starts timing inputs, when fuzz.sh asks
 * for it ({@code -Dsafeload.fuzz.warmUp=true}; Jazzer's driver runs a target's {@code @BeforeAll}
 * before it starts fuzzing; the build's replay skips it). The first inputs load and
 * instrument most of the classes a target reaches; at nice 19 on the shared machine that alone
 * took past the per-input timeout and was reported as a hang (torch-zip on the empty input,
 * stream-guard on its first refusal): a harness finding, not the code's. What an input does here
 * is not judged; libFuzzer runs every seed again, under its limits, right after.
 */
public final class SeedWarmUp {

    private SeedWarmUp() {
    }

    /** Feeds every file in {@code <Target>Inputs/<method>/} on the class path to {@code fuzz}, ignoring outcomes. */
    public static void replay(Class<?> target, String method, Consumer<byte[]> fuzz) {
        if (!Boolean.getBoolean("safeload.fuzz.warmUp")) {
            return;
        }
        URL folder = target.getResource(target.getSimpleName() + "Inputs/" + method);
        List<Path> seeds;
        try (Stream<Path> files = folder == null ? Stream.empty() : Files.list(Path.of(folder.toURI()))) {
            seeds = files.filter(Files::isRegularFile).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        run(fuzz, new byte[0]);
        for (Path seed : seeds) {
            try {
                run(fuzz, Files.readAllBytes(seed));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private static void run(Consumer<byte[]> fuzz, byte[] input) {
        try {
            fuzz.accept(input);
        } catch (Throwable t) {
            // Judged by libFuzzer when it replays the seeds; here only the class loading counts.
        }
    }
}
