import java.io.*;
import java.lang.management.*;
/** One readObject of a payload file in this JVM: its outcome, thread CPU and wall time. bench/ReadOnce.java, run as a source file: java -javaagent:agent/target/safeload-agent.jar bench/ReadOnce.java payload.ser */
public class ReadOnce {
    public static void main(String[] a) throws Exception {
        byte[] b = java.nio.file.Files.readAllBytes(java.nio.file.Path.of(a[0]));
        ThreadMXBean t = ManagementFactory.getThreadMXBean();
        long c0 = t.getCurrentThreadCpuTime(), w0 = System.nanoTime();
        String r;
        try { new ObjectInputStream(new ByteArrayInputStream(b)).readObject(); r = "read"; }
        catch (Throwable e) { r = e.getClass().getSimpleName() + ": " + e.getMessage(); }
        System.out.printf("%d bytes: %s; cpu %d ms, wall %d ms%n", b.length, r.length() > 120 ? r.substring(0,120) : r,
            (t.getCurrentThreadCpuTime() - c0) / 1_000_000, (System.nanoTime() - w0) / 1_000_000);
    }
}
