package dev.safeload.report;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * Appends each line to the violation log with one write, through plain {@code java.io}: the
 * log's lines until Logback, which rolls the file, has been started off the host's path
 * ({@link Reporter}). A write is as durable as Logback's with immediate flush. For stdout and
 * stderr it is the only sink: there is nothing to roll.
 */
final class AppendEventSink implements EventSink {

    private final OutputStream out;
    private final boolean console;

    /** @throws IllegalStateException when the file cannot be opened for appending */
    AppendEventSink(String destination) {
        console = destination.equals("stdout") || destination.equals("stderr");
        if (console) {
            // The stream in force now, not System.out later: as Logback's console appender.
            PrintStream stdio = destination.equals("stdout") ? System.out : System.err;
            out = stdio;
        } else {
            try {
                out = new FileOutputStream(destination, true);
            } catch (IOException e) {
                throw new IllegalStateException("cannot open the violation log " + destination + ": " + e.getMessage());
            }
        }
    }

    @Override
    public synchronized void write(String line) {
        byte[] bytes = (line + "\n").getBytes(StandardCharsets.UTF_8);
        try {
            out.write(bytes);
            out.flush();
        } catch (IOException e) {
            // As Logback does with a failed write: the event is lost, the host carries on.
            System.err.println("safeload: violation log error: " + e);
        }
    }

    @Override
    public synchronized void close() {
        if (!console) {
            try {
                out.close();
            } catch (IOException e) {
                System.err.println("safeload: violation log error: " + e);
            }
        }
    }
}
