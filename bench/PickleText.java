import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import net.razorvine.pickle.Unpickler;

/**
 * A protocol-0 pickle, every value on a text line as Python's protocol 0 writes it: one list of
 * 2,000 LONGs of 31 digits, 10,000 INTs, 5,000 STRINGs and 5,000 FLOATs (248 KB), read with
 * Unpickler.loads, 25 batches of 200 ms in one JVM; prints the median of the last 15 batches'
 * time per load. What a LONG's line costs under the agent (BENCHMARKS.md, session 22):
 *
 *   CP=~/.m2/repository/net/razorvine/pyrolite/4.30/pyrolite-4.30.jar
 *   javac -cp $CP -d /tmp/pt bench/PickleText.java
 *   java [-javaagent:agent/target/safeload-agent.jar=log=/tmp/v.jsonl] -cp /tmp/pt:$CP PickleText
 */
public class PickleText {
    public static void main(String[] args) throws Exception {
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        StringBuilder p = new StringBuilder("(l");
        for (int i = 0; i < 2_000; i++) {
            p.append("L1000000000000000000000000").append(100_000 + i).append("L\na");
        }
        for (int i = 0; i < 10_000; i++) {
            p.append('I').append(i).append("\na");
        }
        for (int i = 0; i < 5_000; i++) {
            p.append("S'user").append(i).append("'\na");
        }
        for (int i = 0; i < 5_000; i++) {
            p.append('F').append(i * 0.5).append("\na");
        }
        text.write(p.append('.').toString().getBytes(StandardCharsets.US_ASCII));
        byte[] pickle = text.toByteArray();
        Unpickler unpickler = new Unpickler();
        if (((List<?>) unpickler.loads(pickle)).size() != 22_000) {
            throw new IllegalStateException("not the pickle written");
        }
        List<Double> batches = new ArrayList<>();
        for (int b = 0; b < 25; b++) {
            long start = System.nanoTime();
            int loads = 0;
            while (System.nanoTime() - start < 200_000_000L) {
                unpickler.loads(pickle);
                loads++;
            }
            batches.add((System.nanoTime() - start) / 1000.0 / loads);
        }
        List<Double> last = new ArrayList<>(batches.subList(10, 25));
        Collections.sort(last);
        System.out.printf("%d bytes, %.1f us a load%n", pickle.length, last.get(last.size() / 2));
    }
}
