package dev.safeload.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@code attach} names why it cannot reach a process before the attach API tries. */
class AttachCommandTest {

    @Test
    void namesAProcessThatDoesNotExist() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor(10, TimeUnit.SECONDS);
        assertEquals("no such process", AttachCommand.targetProblem(gone.pid()));
        CommandRun run = CommandRun.of("attach", String.valueOf(gone.pid()));
        assertEquals(1, run.status(), run::toString);
        assertEquals("safeload: cannot attach to JVM " + gone.pid() + ": no such process\n", run.err());
    }

    @Test
    void namesTheOwnerOfAProcessOfAnotherUser() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")) && Files.isExecutable(Path.of("/usr/bin/setpriv")),
                "needs root and setpriv to start a process as nobody");
        Process other = new ProcessBuilder("/usr/bin/setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups",
                "sleep", "30").start();
        try {
            for (int i = 0; i < 50 && !"nobody".equals(ProcessHandle.of(other.pid()).flatMap(h -> h.info().user()).orElse("")); i++) {
                Thread.sleep(50);
            }
            assertEquals("it runs as user nobody and this command as root; the attach API only reaches JVMs of the"
                    + " same user (run attach as nobody)", AttachCommand.targetProblem(other.pid()));
        } finally {
            other.destroyForcibly();
        }
        assertNull(AttachCommand.targetProblem(ProcessHandle.current().parent().orElseThrow().pid()));
    }
}
