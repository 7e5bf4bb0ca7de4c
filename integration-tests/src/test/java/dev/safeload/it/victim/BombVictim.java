package dev.safeload.it.victim;

import com.caucho.hessian.io.Hessian2Input;
import com.caucho.hessian.io.HessianInput;
import com.esotericsoftware.kryo.io.Input;
import com.thoughtworks.xstream.XStream;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads one document with XStream, Kryo, Hessian (2, or 1) or Pyrolite (from bytes, or from the file) and says how it went and how long the read
 * took (wall time, and the reading thread's CPU), never printing what it read: a hash bomb's {@code toString} would not end either.
 */
public final class BombVictim {

    private BombVictim() {
    }

    public static void main(String[] args) throws Exception {
        byte[] bytes = Files.readAllBytes(Path.of(args[1]));
        // The reader is made before the clock starts: XStream's constructor alone takes a while.
        XStream xstream = new XStream();
        if (args[0].equals("xstream-id")) {
            xstream.setMode(XStream.ID_REFERENCES);
        }
        com.esotericsoftware.kryo.Kryo kryo = RpcVictim.kryo();
        System.out.println("READING");
        System.out.flush();
        long start = System.nanoTime();
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        long cpuStart = threads.getCurrentThreadCpuTime();
        String result;
        try {
            Object read = switch (args[0]) {
                case "xstream", "xstream-id" -> xstream.fromXML(new String(bytes, StandardCharsets.UTF_8));
                case "kryo" -> kryo.readClassAndObject(new Input(bytes));
                case "hessian" -> new Hessian2Input(new ByteArrayInputStream(bytes)).readObject();
                case "hessian1" -> new HessianInput(new ByteArrayInputStream(bytes)).readObject();
                case "pickle" -> new net.razorvine.pickle.Unpickler().loads(bytes);
                case "pickle-file" -> { // load(InputStream) on a stream that cannot be marked, as a socket's
                    try (java.io.InputStream in = Files.newInputStream(Path.of(args[1]))) {
                        yield new net.razorvine.pickle.Unpickler().load(in);
                    }
                }
                default -> throw new IllegalArgumentException("unknown mode " + args[0]);
            };
            result = "RESULT ok " + (read == null ? "null" : read.getClass().getName());
        } catch (com.thoughtworks.xstream.converters.ConversionException
                 | com.esotericsoftware.kryo.KryoException | java.io.IOException
                 | net.razorvine.pickle.PickleException e) {
            result = "RESULT refused " + e.getClass().getName() + ": " + String.valueOf(e.getMessage()).lines()
                    .findFirst().orElse("");
        } catch (Throwable e) {
            result = "RESULT failed " + e.getClass().getName() + ": " + e.getMessage();
        }
        System.out.println("READ_MS " + (System.nanoTime() - start) / 1_000_000);
        System.out.println("CPU_MS " + (threads.getCurrentThreadCpuTime() - cpuStart) / 1_000_000);
        System.out.println(result);
    }
}
