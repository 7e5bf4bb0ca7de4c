package dev.safeload.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Bounds how often one identical event (same class, rule and call site) is written, so an
 * attacker who repeats a payload cannot fill the disk. Nothing is lost: every event that is
 * held back is counted, and the count rides on the next event written for that key, or on a
 * summary at shutdown.
 */
final class RateLimiter {

    /** Keys tracked at once; past it, expired windows are swept, then everything is summarised. */
    private static final int MAX_KEYS = 10_000;
    private static final long WINDOW_NANOS = 60_000_000_000L;

    private final int perWindow;
    private final LongSupplier clock;
    private final Map<String, Window> windows = new ConcurrentHashMap<>();

    private static final class Window {
        long start;
        int written;
        long held;
    }

    /** What became of one event: written (with the count held back before it) or held back. */
    record Admission(boolean write, long heldBefore) {
    }

    /** A key with events held back that no later event reported. */
    record Pending(String key, long held) {
    }

    RateLimiter(int perWindow, LongSupplier clock) {
        this.perWindow = perWindow;
        this.clock = clock;
    }

    Admission admit(String key) {
        long now = clock.getAsLong();
        if (windows.size() >= MAX_KEYS && !windows.containsKey(key)) {
            windows.values().removeIf(w -> {
                synchronized (w) {
                    return w.held == 0 && now - w.start >= WINDOW_NANOS;
                }
            });
            if (windows.size() >= MAX_KEYS) {
                // Still full of live keys: write without tracking rather than grow without bound.
                return new Admission(true, 0);
            }
        }
        // get and putIfAbsent, not computeIfAbsent: its lambda would be a class and method-handle
        // forms of its own at the first event, usually a model allowed on the host's start.
        Window w = windows.get(key);
        if (w == null) {
            Window fresh = new Window();
            fresh.start = now;
            Window raced = windows.putIfAbsent(key, fresh);
            w = raced != null ? raced : fresh;
        }
        synchronized (w) {
            if (now - w.start >= WINDOW_NANOS) {
                w.start = now;
                w.written = 0;
            }
            if (w.written < perWindow) {
                w.written++;
                long held = w.held;
                w.held = 0;
                return new Admission(true, held);
            }
            w.held++;
            return new Admission(false, 0);
        }
    }

    /** Takes every count still held back, for a summary. */
    List<Pending> drain() {
        List<Pending> pending = new ArrayList<>();
        for (Map.Entry<String, Window> e : windows.entrySet()) {
            Window w = e.getValue();
            synchronized (w) {
                if (w.held > 0) {
                    pending.add(new Pending(e.getKey(), w.held));
                    w.held = 0;
                }
            }
        }
        return pending;
    }
}
