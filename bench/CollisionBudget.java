import java.io.*;
import java.lang.management.*;
import java.util.*;

/**
 * How far past its CPU budget the guard lets a hash-collision read run before refusing it: a
 * HashSet of COUNT distinct BitSets with one hash code (as DenialOfServiceTest's bomb), read from
 * a byte array; prints the read's thread CPU and wall time and the guard's message, which names
 * the CPU it counted and the bytes read at the refusal.
 *
 *   javac -d /tmp/cb bench/CollisionBudget.java
 *   java -javaagent:agent/target/safeload-agent.jar -cp /tmp/cb CollisionBudget 65536
 */
public class CollisionBudget {
    public static void main(String[] a) throws Exception {
        int count = Integer.parseInt(a[0]);
        long marker = 0x5AFE_C0DE_0000_0000L;
        Set<Object> set = new HashSet<>();
        for (int k = 1; k <= count; k++) set.add(BitSet.valueOf(new long[] {marker | k}));
        ByteArrayOutputStream bo = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bo)) { out.writeObject(set); }
        byte[] bytes = bo.toByteArray();
        java.nio.ByteBuffer buffer = java.nio.ByteBuffer.wrap(bytes);
        for (int i = 0; i + 8 <= bytes.length; i++) {
            long word = buffer.getLong(i);
            if ((word & 0xFFFF_FFFF_0000_0000L) == marker) {
                long k = word & 0xFFFF_FFFFL;
                buffer.putLong(i, (k << 32) | (k ^ 0x1234_5678L));
                i += 7;
            }
        }
        ThreadMXBean t = ManagementFactory.getThreadMXBean();
        long c0 = t.getCurrentThreadCpuTime(), w0 = System.nanoTime();
        String result;
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes))) {
            Object o = in.readObject();
            result = "read " + ((Set<?>) o).size();
        } catch (Exception e) {
            result = e.toString();
        }
        long c1 = t.getCurrentThreadCpuTime(), w1 = System.nanoTime();
        System.out.printf("bytes %d cpu %.1f ms wall %.1f ms: %s%n", bytes.length, (c1 - c0) / 1e6, (w1 - w0) / 1e6, result);
    }
}
