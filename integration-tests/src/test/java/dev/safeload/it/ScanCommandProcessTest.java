package dev.safeload.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.safeload.it.support.ForkedJvm;
import dev.safeload.it.support.Jdks;
import dev.safeload.it.support.ViolationLog;
import dev.safeload.it.victim.ModelStore;
import dev.safeload.it.victim.ModelVictim;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code java -jar safeload-agent.jar scan} as a user runs it: what reaches the console. */
class ScanCommandProcessTest {

    private static Path fixture(Path dir, String name) throws IOException {
        Path file = dir.resolve(name);
        try (InputStream in = ScanCommandProcessTest.class.getResourceAsStream("/fixtures/" + name)) {
            Files.copy(in, file);
        }
        return file;
    }

    @Test
    void bundledLibrariesWriteNothingToTheConsoleWhileScanningHdf5(@TempDir Path dir) throws Exception {
        Path h5 = fixture(dir, "weights.h5");

        ForkedJvm.Result r = ForkedJvm.on(Jdks.current()).runJar(ForkedJvm.agentJar(), "scan", h5.toString());

        assertEquals(0, r.exitCode(), r::toString);
        assertTrue(r.stdout().startsWith("ALLOW  " + h5 + "  [keras-h5]"), r::toString);
        assertEquals("", r.stderr(), "jhdf logs through the relocated SLF4J, which must stay silent");
    }

    @Test
    void bundledLibrariesWriteNothingToTheHostsConsoleWhenTheModelGateReadsHdf5(@TempDir Path dir) throws Exception {
        Path h5 = fixture(dir, "weights.h5");

        ForkedJvm.Result r = ForkedJvm.on(Jdks.current()).workDir(dir)
                .withAgent("log=" + dir.resolve("v.jsonl") + ",model.hooks=" + ModelStore.class.getName() + "#load(0)")
                .runMain(ModelVictim.class, "model-store", h5.toString());

        assertTrue(r.stdout().contains("RESULT ok bytes=" + Files.size(h5)), r::toString);
        assertTrue(r.stderr().lines().allMatch(l -> l.startsWith("safeload ") || l.startsWith("safeload: settings: ")),
                () -> "only the agent's start lines:\n" + r);
        assertEquals("keras-h5", ViolationLog.withAction(ViolationLog.read(dir.resolve("v.jsonl")), "model-allow")
                .get(0).path("safeload.format").asText(), "the gate did read the file with jhdf");
    }

    @Test
    void bundledSlf4jIgnoresTheHostsSlf4jSystemProperties(@TempDir Path dir) throws Exception {
        Path h5 = fixture(dir, "weights.h5");

        ForkedJvm.Result r = ForkedJvm.on(Jdks.current())
                .jvmArg("-Dslf4j.provider=org.slf4j.simple.SimpleServiceProvider", "-Dslf4j.internal.verbosity=DEBUG")
                .runJar(ForkedJvm.agentJar(), "scan", h5.toString());

        assertEquals(0, r.exitCode(), r::toString);
        assertEquals("", r.stderr(), "those properties are the host's SLF4J's, not ours");
    }

    /**
     * Root reads any file, so the unreadable file is scanned by the {@code nobody} user when the
     * tests run as root ({@code setpriv}), and by the current user otherwise.
     */
    @Test
    void givesTheReasonAFileCannotBeReadWhetherNamedDirectlyOrFoundInAFolder(@TempDir Path tmp) throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("models"));
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path secret = dir.resolve("model.onnx");
        Files.write(secret, new byte[] {8, 7});
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("---------"));

        String[] direct = scanAsUnprivilegedUser(secret);
        assertEquals("2", direct[0], () -> String.join("\n", direct));
        assertEquals("safeload: cannot scan: " + secret + ": permission denied", direct[2].strip());

        String[] inFolder = scanAsUnprivilegedUser(dir);
        assertEquals("2", inFolder[0], () -> String.join("\n", inFolder));
        assertTrue(inFolder[1].contains("cannot read: permission denied"), inFolder[1]);
    }

    /** Exit code, stdout and stderr of {@code scan path}. */
    private static String[] scanAsUnprivilegedUser(Path path) throws Exception {
        List<String> command = new ArrayList<>();
        if ("root".equals(System.getProperty("user.name"))) {
            command.addAll(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"));
        }
        command.addAll(List.of(Jdks.current().java().toString(), "-XX:-UsePerfData", "-jar",
                ForkedJvm.agentJar().toString(), "scan", path.toString()));
        Process p = new ProcessBuilder(command).directory(path.getParent().toFile()).start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        return new String[] {String.valueOf(p.exitValue()), new String(out, StandardCharsets.UTF_8),
                new String(err, StandardCharsets.UTF_8)};
    }
}
