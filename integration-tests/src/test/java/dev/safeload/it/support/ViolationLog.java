package dev.safeload.it.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/** Reads a violation log: every line must be one JSON object. */
public final class ViolationLog {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ViolationLog() {
    }

    /**
     * Every event in {@code file}, after those of the files Logback rolled it to ({@code
     * file.DATE.N.gz}, in name order: a run that crosses midnight UTC rolls the log by date); fails
     * on a line that is not one JSON object.
     */
    public static List<JsonNode> read(Path file) throws IOException {
        List<JsonNode> events = new ArrayList<>();
        Path dir = file.toAbsolutePath().getParent();
        String rolledPrefix = file.getFileName() + ".";
        List<Path> rolled = new ArrayList<>();
        if (dir != null && Files.isDirectory(dir)) {
            try (Stream<Path> siblings = Files.list(dir)) {
                siblings.filter(p -> p.getFileName().toString().startsWith(rolledPrefix)
                        && p.getFileName().toString().endsWith(".gz")).sorted().forEach(rolled::add);
            }
        }
        for (Path gz : rolled) {
            try (InputStream in = new GZIPInputStream(Files.newInputStream(gz))) {
                addLines(gz, new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList(), events);
            }
        }
        if (Files.exists(file)) {
            addLines(file, Files.readAllLines(file), events);
        }
        return events;
    }

    private static void addLines(Path file, List<String> lines, List<JsonNode> events) throws IOException {
        int n = 0;
        for (String line : lines) {
            n++;
            JsonNode node = JSON.readTree(line);
            if (node == null || !node.isObject()) {
                throw new AssertionError(file + " line " + n + " is not a JSON object: " + line);
            }
            events.add(node);
        }
    }

    /**
     * The complete lines of a log another process is still writing: a last line without its
     * newline is being written and is left for the next read.
     */
    public static List<JsonNode> readWhileWritten(Path file) throws IOException {
        List<JsonNode> events = new ArrayList<>();
        if (!Files.exists(file)) {
            return events;
        }
        String text = Files.readString(file);
        int end = text.lastIndexOf('\n');
        for (String line : (end < 0 ? "" : text.substring(0, end)).split("\n")) {
            if (!line.isEmpty()) {
                events.add(JSON.readTree(line));
            }
        }
        return events;
    }

    /** The events whose event.action is {@code action}. */
    public static List<JsonNode> withAction(List<JsonNode> events, String action) {
        return events.stream().filter(e -> action.equals(e.path("event.action").asText())).toList();
    }
}
