package dev.safeload.ops;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/**
 * Reads violation logs as the agent leaves them: the active file and its rolled,
 * gzip-compressed predecessors ({@code FILE.2026-11-27.0.gz}), given one by one or as the
 * directory that holds them. A line that is not an event is counted and handed on as
 * malformed, never thrown; a file that cannot be read is recorded with the line it stopped at.
 */
public final class ViolationLogReader {

    /** Longer lines are not events (the agent's are a few kilobytes) and are not kept in memory. */
    static final int MAX_LINE_CHARS = 1 << 20;

    private static final Pattern ROLLED = Pattern.compile("(.+)\\.\\d{4}-\\d{2}-\\d{2}\\.\\d+\\.gz");

    /** Receives what the reader finds, in file order. */
    public interface Visitor {
        void event(LogEvent event);

        void malformed(Path file, long line, String reason);
    }

    /**
     * What one file held.
     *
     * @param skipped events before {@code --since}
     * @param error why reading stopped early, or null
     */
    public record FileStats(Path file, boolean gzip, long lines, long events, long malformed, long skipped,
                            String error) {
    }

    private ViolationLogReader() {
    }

    /**
     * The log files {@code inputs} name: files as given, directories as their {@code *.jsonl}
     * and {@code *.gz} files plus the active file of every rolled series, rolled files first.
     *
     * @throws IOException naming the first input that does not exist or cannot be read
     */
    public static List<Path> expand(List<Path> inputs) throws IOException {
        Set<Path> files = new LinkedHashSet<>();
        for (Path input : inputs) {
            if (Files.isDirectory(input)) {
                List<Path> rolled = new ArrayList<>();
                List<Path> active = new ArrayList<>();
                try (Stream<Path> entries = Files.list(input)) {
                    for (Path p : (Iterable<Path>) entries.sorted()::iterator) {
                        String name = p.getFileName().toString();
                        if (!Files.isRegularFile(p)) {
                            continue;
                        }
                        if (name.endsWith(".gz")) {
                            rolled.add(p);
                            Matcher m = ROLLED.matcher(name);
                            if (m.matches() && Files.isRegularFile(input.resolve(m.group(1)))) {
                                active.add(input.resolve(m.group(1)));
                            }
                        } else if (name.endsWith(".jsonl")) {
                            active.add(p);
                        }
                    }
                } catch (IOException e) {
                    throw new IOException(input + ": cannot list the directory: " + e.getMessage(), e);
                }
                files.addAll(rolled);
                files.addAll(active.stream().distinct().sorted().toList());
            } else if (Files.isRegularFile(input)) {
                if (!Files.isReadable(input)) {
                    throw new IOException(input + ": permission denied");
                }
                files.add(input);
            } else if (Files.exists(input)) {
                throw new IOException(input + ": not a regular file or directory");
            } else {
                throw new IOException(input + ": no such file or directory");
            }
        }
        return new ArrayList<>(files);
    }

    /** Reads every file, handing events at or after {@code since} (null: all) to {@code visitor}. */
    public static List<FileStats> read(List<Path> files, Instant since, Visitor visitor) {
        List<FileStats> stats = new ArrayList<>();
        for (Path file : files) {
            stats.add(readOne(file, since, visitor));
        }
        return stats;
    }

    private static FileStats readOne(Path file, Instant since, Visitor visitor) {
        long[] counts = new long[4]; // lines, events, malformed, skipped
        boolean gzip = false;
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            raw.mark(2);
            gzip = raw.read() == 0x1f && raw.read() == 0x8b;
            raw.reset();
            // Sniffed, not taken from the name: a rolled file renamed by hand still reads.
            InputStream in = gzip ? new GZIPInputStream(raw, 1 << 16) : raw;
            forEachLine(new InputStreamReader(in, StandardCharsets.UTF_8), (line, tooLong) -> {
                long n = ++counts[0];
                if (tooLong) {
                    counts[2]++;
                    visitor.malformed(file, n, "line longer than " + MAX_LINE_CHARS + " characters");
                    return;
                }
                if (line.isBlank()) {
                    return;
                }
                try {
                    LogEvent event = LogLineParser.parse(line, file, n);
                    if (since != null && event.timestamp().isBefore(since)) {
                        counts[3]++;
                    } else {
                        counts[1]++;
                        visitor.event(event);
                    }
                } catch (LogLineParser.MalformedLineException e) {
                    counts[2]++;
                    visitor.malformed(file, n, e.getMessage());
                }
            });
        } catch (EOFException e) {
            return new FileStats(file, gzip, counts[0], counts[1], counts[2], counts[3],
                    "truncated " + (gzip ? "gzip data" : "file") + " after line " + counts[0]);
        } catch (IOException e) {
            return new FileStats(file, gzip, counts[0], counts[1], counts[2], counts[3],
                    "cannot read it after line " + counts[0] + ": " + e.getMessage());
        }
        return new FileStats(file, gzip, counts[0], counts[1], counts[2], counts[3], null);
    }

    private interface LineConsumer {
        void line(String line, boolean tooLong);
    }

    /** Splits on {@code \n} (dropping a {@code \r} before it), keeping at most MAX_LINE_CHARS of a line. */
    private static void forEachLine(Reader reader, LineConsumer consumer) throws IOException {
        char[] buffer = new char[1 << 16];
        StringBuilder line = new StringBuilder(4096);
        boolean tooLong = false;
        boolean pending = false;
        for (int n; (n = reader.read(buffer)) > 0; ) {
            int start = 0;
            for (int i = 0; i < n; i++) {
                if (buffer[i] == '\n') {
                    tooLong = append(line, buffer, start, i, tooLong);
                    emit(consumer, line, tooLong);
                    line.setLength(0);
                    tooLong = false;
                    pending = false;
                    start = i + 1;
                }
            }
            if (start < n) {
                tooLong = append(line, buffer, start, n, tooLong);
                pending = true;
            }
        }
        if (pending) {
            emit(consumer, line, tooLong);
        }
    }

    private static boolean append(StringBuilder line, char[] buffer, int from, int to, boolean tooLong) {
        if (tooLong || line.length() + (to - from) > MAX_LINE_CHARS) {
            return true;
        }
        line.append(buffer, from, to - from);
        return false;
    }

    private static void emit(LineConsumer consumer, StringBuilder line, boolean tooLong) {
        int end = line.length();
        if (end > 0 && line.charAt(end - 1) == '\r') {
            end--;
        }
        consumer.line(tooLong ? "" : line.substring(0, end), tooLong);
    }
}
