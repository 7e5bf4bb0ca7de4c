import java.io.*;
import java.net.URL;
import java.util.HashMap;

/**
 * The violation log's hand-over to the agent's Logback, whose classes are packed (BENCHMARKS.md, "Session 12:
 * the jar's central directory"): four refused reads 0.8 s apart; the third (past the agent's 2 s) starts
 * Logback on a thread of its own, the fourth is written through it. Compare the process CPU of two jars.
 *
 * <pre>
 * javac -d /tmp/lb bench/LogbackHandOver.java && java -cp /tmp/lb LogbackHandOver write /tmp/lb/url.ser
 * java -javaagent:JAR=log=/tmp/lb/v.jsonl -cp /tmp/lb LogbackHandOver read /tmp/lb/url.ser
 * </pre>
 */
public class LogbackHandOver {
    public static void main(String[] args) throws Exception {
        if (args[0].equals("write")) {
            HashMap<URL, String> map = new HashMap<>();
            map.put(new URL("http://example.invalid/"), "x");
            try (ObjectOutputStream out = new ObjectOutputStream(new FileOutputStream(args[1]))) {
                out.writeObject(map);
            }
            return;
        }
        byte[] payload = java.nio.file.Files.readAllBytes(java.nio.file.Path.of(args[1]));
        int refused = 0;
        for (int i = 0; i < 4; i++) {
            if (i > 0) Thread.sleep(800);
            try {
                new ObjectInputStream(new ByteArrayInputStream(payload)).readObject();
            } catch (InvalidClassException e) {
                refused++;
            }
        }
        Thread.sleep(500);
        System.out.println("refused=" + refused);
    }
}
