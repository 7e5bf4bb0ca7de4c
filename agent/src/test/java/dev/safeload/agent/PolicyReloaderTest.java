package dev.safeload.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PolicyReloaderTest {

    @TempDir
    Path dir;

    /**
     * A Kubernetes ConfigMap volume, written as the kubelet writes it: {@code policy.properties}
     * is a symlink to {@code ..data/policy.properties}, {@code ..data} a symlink to a timestamped
     * folder, and an update writes a new folder and renames a new {@code ..data} over the old one.
     */
    @Test
    void seesAConfigMapUpdateMadeBySwappingTheDataSymlink() throws Exception {
        Path first = Files.createDirectory(dir.resolve("..2026_12_02_07_00_00.1"));
        Files.writeString(first.resolve("policy.properties"), "mode=audit\n");
        Files.createSymbolicLink(dir.resolve("..data"), first.getFileName());
        Path policy = Files.createSymbolicLink(dir.resolve("policy.properties"), Path.of("..data/policy.properties"));

        Semaphore changes = new Semaphore(0);
        AtomicInteger seen = new AtomicInteger();
        PolicyReloader reloader = new PolicyReloader(policy, () -> {
            seen.incrementAndGet();
            changes.release();
        }, new PrintStream(new ByteArrayOutputStream()));
        Thread watcher = new Thread(reloader);
        watcher.setDaemon(true);
        watcher.start();
        try {
            Thread.sleep(300);
            Path second = Files.createDirectory(dir.resolve("..2026_12_02_07_05_00.2"));
            Files.writeString(second.resolve("policy.properties"), "mode=enforce\n");
            Path tmp = Files.createSymbolicLink(dir.resolve("..data_tmp"), second.getFileName());
            Files.move(tmp, dir.resolve("..data"), StandardCopyOption.ATOMIC_MOVE);

            assertTrue(changes.tryAcquire(PolicyReloader.POLL_MILLIS * 3, TimeUnit.MILLISECONDS), "the swap was not seen");
            assertEquals("mode=enforce\n", Files.readString(policy));
            Thread.sleep(PolicyReloader.POLL_MILLIS + 500);
            assertEquals(1, seen.get(), "one swap is one change");
        } finally {
            watcher.interrupt();
        }
    }
}
