package dev.safeload.it.victim;

import com.thoughtworks.xstream.XStream;
import java.beans.XMLDecoder;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Reads one document the way a service does, with {@code java.beans.XMLDecoder} or XStream, and
 * prints one {@code RESULT} line: {@code xmldecoder FILE}, {@code xstream FILE [ALLOWED_TYPES]},
 * {@code xstream-shared FILE [ALLOWED_TYPES]} (one {@code XStream} for the whole process, as a
 * service keeps one, made at its first use with those types), {@code xstream-after-map FILE
 * [ALLOWED_TYPES]} (as {@code xstream}, after a JDK stream that reads a HashMap), or {@code console}, which takes
 * those commands line by line on stdin (for attach).
 */
public final class DeserVictim {

    private static XStream shared;

    private DeserVictim() {
    }

    public static void main(String[] args) throws Exception {
        if (args[0].equals("console")) {
            System.out.println("READY " + ProcessHandle.current().pid());
            BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            for (String line; (line = commands.readLine()) != null && !line.equals("quit"); ) {
                System.out.println(read(line.split(" ")));
            }
            return;
        }
        System.out.println(read(args));
    }

    private static String read(String[] args) {
        try {
            byte[] document = Files.readAllBytes(Path.of(args[1]));
            return switch (args[0]) {
                case "xmldecoder" -> xmlDecoder(document);
                case "xstream", "xstream-shared", "xstream-after-map" -> {
                    if (args[0].equals("xstream-after-map")) {
                        // A first stream that resolves no Hashtable class.
                        java.io.ByteArrayOutputStream first = new java.io.ByteArrayOutputStream();
                        try (java.io.ObjectOutputStream out = new java.io.ObjectOutputStream(first)) {
                            out.writeObject(new java.util.HashMap<>(java.util.Map.of("first", 1)));
                        }
                        new java.io.ObjectInputStream(new ByteArrayInputStream(first.toByteArray())).readObject();
                    }
                    XStream xstream = !args[0].equals("xstream-shared") || shared == null ? new XStream() : shared;
                    if (xstream != shared && args.length > 2) {
                        xstream.allowTypes(args[2].split(","));
                    }
                    if (args[0].equals("xstream-shared")) {
                        shared = xstream;
                    }
                    yield "RESULT ok " + describe(xstream.fromXML(new String(document, StandardCharsets.UTF_8)));
                }
                default -> "RESULT failed unknown mode " + args[0];
            };
        } catch (Throwable e) {
            String message = String.valueOf(e.getMessage()).lines().findFirst().orElse("");
            return (message.startsWith("safeload:") ? "RESULT refused " : "RESULT failed ") + e.getClass().getName()
                    + ": " + message;
        }
    }

    /** With a listener that swallows every exception, as a service that wants partial results does. */
    private static String xmlDecoder(byte[] document) {
        AtomicInteger swallowed = new AtomicInteger();
        try (XMLDecoder decoder = new XMLDecoder(new ByteArrayInputStream(document), null, e -> swallowed.incrementAndGet())) {
            Object first = decoder.readObject();
            return "RESULT ok " + describe(first) + " (listener got " + swallowed.get() + ")";
        }
    }

    private static String describe(Object value) {
        return value == null ? "null" : value.getClass().getName() + " " + value;
    }
}
