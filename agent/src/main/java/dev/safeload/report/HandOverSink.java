package dev.safeload.report;

/**
 * The sink in force, which one hand-over may replace: lines go to the first sink until the
 * second is ready, then to the second, never to both and never lost in between.
 */
final class HandOverSink implements EventSink {

    private EventSink current;

    HandOverSink(EventSink first) {
        this.current = first;
    }

    @Override
    public synchronized void write(String line) {
        current.write(line);
    }

    /** From now on {@code next} takes the lines; the previous sink is closed. */
    synchronized void handOver(EventSink next) {
        EventSink previous = current;
        current = next;
        previous.close();
    }

    synchronized EventSink current() {
        return current;
    }

    @Override
    public synchronized void close() {
        current.close();
    }
}
