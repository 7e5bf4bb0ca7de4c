package dev.safeload.agent;

import dev.safeload.config.ConfigException;
import dev.safeload.config.PolicyCompiler;
import dev.safeload.config.Settings;
import dev.safeload.policy.Policy;
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
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

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

    /** What the agent was started with, to resolve the configuration again exactly as at start. */
    record Sources(String options, Map<String, String> environment, Path policyFile) {
    }

    private final Sources sources;
    private final Consumer<Policy> apply;
    private final Consumer<String> refused;
    private final PrintStream console;
    private byte[] lastDigest;

    PolicyReloader(Sources sources, Consumer<Policy> apply, Consumer<String> refused, PrintStream console) {
        this.sources = sources;
        this.apply = apply;
        this.refused = refused;
        this.console = console;
        this.lastDigest = digestOf(sources.policyFile());
    }

    void start() {
        Thread watcher = new Thread(this, "safeload-policy-watch");
        watcher.setDaemon(true);
        watcher.start();
    }

    @Override
    public void run() {
        Path dir = sources.policyFile().toAbsolutePath().getParent();
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

    /** Applies the file if its contents changed since the last version seen. */
    void checkOnce() {
        byte[] digest = digestOf(sources.policyFile());
        if (digest == null || Arrays.equals(digest, lastDigest)) {
            return; // missing (mid-swap) or unchanged
        }
        lastDigest = digest;
        try {
            Policy next = PolicyCompiler.compile(Settings.resolve(sources.options(), System.getProperties(),
                    sources.environment()));
            apply.accept(next);
            console.println("safeload: policy reloaded from " + sources.policyFile() + ": " + next.mode().label()
                    + " mode (sha256 " + next.digest().substring(0, 12) + ")");
        } catch (ConfigException e) {
            console.println("safeload: policy not reloaded, the previous one stays in force: " + e.getMessage());
            refused.accept(e.getMessage());
        } catch (RuntimeException e) {
            console.println("safeload: policy not reloaded, the previous one stays in force: " + e);
            refused.accept(e.toString());
        }
    }

    private static byte[] digestOf(Path file) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file));
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            return null;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }
}
