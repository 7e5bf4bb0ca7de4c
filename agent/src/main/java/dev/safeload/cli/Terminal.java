package dev.safeload.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Whether a person is watching stderr, so progress lines go to a terminal and never into a CI log. */
final class Terminal {

    private Terminal() {
    }

    /**
     * True when file descriptor 2 is a terminal. Java has no isatty; on Linux the descriptor's
     * link names the device. Elsewhere {@link System#console()} (stdin and stdout a terminal)
     * is the nearest answer the JDK gives.
     */
    static boolean stderrIsTerminal() {
        Path fd2 = Path.of("/proc/self/fd/2");
        try {
            String target = Files.readSymbolicLink(fd2).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return System.console() != null;
        }
    }
}
