package dev.safeload.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.safeload.it.support.ForkedJvm;
import dev.safeload.it.support.Jdks;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

/** Makes a missing JDK 25 visible as a skipped test with its reason, not a silent gap. */
class JdkCoverageTest {

    @Test
    void forkedJvmsAlsoRunOnJdk25() throws Exception {
        assumeTrue(Jdks.jdk25Notice() == null, Jdks::jdk25Notice);
        Jdks.Jdk jdk25 = Jdks.all().get(1);
        ForkedJvm.Result version = ForkedJvm.on(jdk25).workDir(Files.createTempDirectory("safeload-jdk-"))
                .jvmArg("-version").runJar(ForkedJvm.agentJar(), "--version");
        assertEquals(0, version.exitCode(), version::toString);
        assertEquals(true, version.stderr().contains("\"25"), version::toString);
    }
}
