package dev.safeload.report;

/** Where encoded event lines go. */
public interface EventSink {

    /** Writes one complete JSON line (without its newline); must be safe from many threads. */
    void write(String line);

    /** Flushes and releases the destination. */
    void close();
}
