import java.util.*;
import net.razorvine.pickle.*;

/**
 * Session 20's benign pickles (BENCHMARKS.md, "Session 20"), written by Pyrolite's own Pickler
 * and read with Unpickler.loads as a service would, in one JVM: 200 four-key dicts (8 KB), one
 * dict of 5,000 string keys (150 KB, one SETITEMS), a list of 20,000 floats (180 KB). For each,
 * 15 batches of 200 ms; prints the median of the last 10 batches' time per load. Pyrolite comes
 * from the local Maven repository (after mvn install):
 *
 *   CP=~/.m2/repository/net/razorvine/pyrolite/4.30/pyrolite-4.30.jar
 *   javac -cp $CP -d /tmp/pl bench/PickleLoads.java
 *   java [-javaagent:agent/target/safeload-agent.jar=log=/tmp/v.jsonl] -cp /tmp/pl:$CP PickleLoads
 */
public class PickleLoads {
    public static void main(String[] a) throws Exception {
        List<Object> rows = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            Map<String, Object> row = new HashMap<>();
            row.put("id", i);
            row.put("name", "user" + i);
            row.put("score", i * 0.5);
            row.put("tags", List.of("a", "b"));
            rows.add(row);
        }
        Map<String, Object> features = new HashMap<>();
        for (int i = 0; i < 5000; i++) {
            features.put("feature_" + i, i * 1.5);
        }
        List<Double> floats = new ArrayList<>();
        for (int i = 0; i < 20000; i++) {
            floats.add(i * 0.25);
        }
        Object[] values = {rows, features, floats};
        String[] names = {"rows200", "dict5000", "floats20000"};
        for (int c = 0; c < values.length; c++) {
            byte[] pickle = new Pickler().dumps(values[c]);
            long[] perLoad = new long[15];
            for (int batch = 0; batch < perLoad.length; batch++) {
                long start = System.nanoTime();
                int loads = 0;
                while (System.nanoTime() - start < 200_000_000L) {
                    new Unpickler().loads(pickle);
                    loads++;
                }
                perLoad[batch] = (System.nanoTime() - start) / loads;
            }
            long[] last = Arrays.copyOfRange(perLoad, 5, 15);
            Arrays.sort(last);
            System.out.println(names[c] + " " + pickle.length + " B: " + last[5] / 1000 + " us/load");
        }
    }
}
