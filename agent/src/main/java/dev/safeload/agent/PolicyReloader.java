package dev.safeload.agent;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchService;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * Watches the policy file and applies each valid new version; an invalid one is refused and
 * logged, and the policy in force stays. It watches the file's folder, not the file, and
 * compares contents, so editors that replace the file and Kubernetes ConfigMaps (whose files
 * are symlinks swapped under {@code ..data}) are both seen; a poll every few seconds backs up
 * file systems whose watch events are unreliable.
 */
final class PolicyReloader implements Runnable {

    /** Polls at least this often, whatever the watch service reports. */
    static final long POLL_MILLIS = 2_000;

    private final Path policyFile;
    private final Runnable changed;
    private final PrintStream console;
    private byte[] lastDigest;

    /**
     * @param changed called on this watcher's thread each time the file's contents change; it
     *     resolves, checks and applies (or refuses) the new version
     */
    PolicyReloader(Path policyFile, Runnable changed, PrintStream console) {
        this.policyFile = policyFile;
        this.changed = changed;
        this.console = console;
        this.lastDigest = digestOf(policyFile);
    }

    void start() {
        Thread watcher = new Thread(this, "safeload-policy-watch");
        watcher.setDaemon(true);
        watcher.start();
    }

    @Override
    public void run() {
        Path dir = policyFile.toAbsolutePath().getParent();
        try (WatchService watch = FileSystems.getDefault().newWatchService()) {
            dir.register(watch, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
                    StandardWatchEventKinds.ENTRY_DELETE);
            while (!Thread.currentThread().isInterrupted()) {
                var key = watch.poll(POLL_MILLIS, TimeUnit.MILLISECONDS);
                if (key != null) {
                    key.pollEvents();
                    key.reset();
                }
                checkOnce();
            }
        } catch (IOException | ClosedWatchServiceException e) {
            console.println("safeload: warning: cannot watch " + dir + " (" + e + "); polling the policy file instead");
            pollForever();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void pollForever() {
        try {
            while (!Thread.currentThread().isInterrupted()) {
                Thread.sleep(POLL_MILLIS);
                checkOnce();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Hands the file on if its contents changed since the last version seen, once they have
     * stopped changing: an in-place rewrite (truncate, then write) must not be read half-way,
     * or its empty first state would be applied, and the real version then compared with it.
     */
    void checkOnce() throws InterruptedException {
        byte[] digest = digestOf(policyFile);
        if (digest == null || Arrays.equals(digest, lastDigest)) {
            return; // missing or empty (mid-swap, mid-write) or unchanged
        }
        for (int i = 0; i < SETTLE_ROUNDS; i++) {
            Thread.sleep(SETTLE_MILLIS);
            byte[] again = digestOf(policyFile);
            if (again == null) {
                return; // the next change will be seen
            }
            if (Arrays.equals(again, digest)) {
                break;
            }
            digest = again;
        }
        lastDigest = digest;
        try {
            changed.run();
        } catch (RuntimeException e) {
            console.println("safeload: policy not reloaded, the previous one stays in force: " + e);
        }
    }

    /** How long the file's contents must stay the same before they are read as a new version. */
    static final long SETTLE_MILLIS = 250;
    private static final int SETTLE_ROUNDS = 20;

    /** The digest of the file's contents, or null when it is missing or empty. */
    private static byte[] digestOf(Path file) {
        try {
            byte[] bytes = Files.readAllBytes(file);
            return bytes.length == 0 ? null : MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            return null;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }
}
