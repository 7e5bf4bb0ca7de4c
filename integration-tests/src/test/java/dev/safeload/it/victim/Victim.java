package dev.safeload.it.victim;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InvalidClassException;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.commons.io.input.ClassLoaderObjectInputStream;
import org.springframework.core.ConfigurableObjectInputStream;

/**
 * The program the integration tests run in a forked JVM: it reads a payload file the way a
 * given kind of real code does, and prints one {@code RESULT} line.
 */
public final class Victim {

    private Victim() {
    }

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        byte[] payload = args.length > 1 ? Files.readAllBytes(Path.of(args[1])) : new byte[0];
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        long cpuStart = threads.getCurrentThreadCpuTime();
        long start = System.nanoTime();
        try {
            Object result = switch (mode) {
                case "read" -> new ObjectInputStream(in(payload)).readObject();
                case "unshared" -> new ObjectInputStream(in(payload)).readUnshared();
                case "commons-io" -> new ClassLoaderObjectInputStream(Victim.class.getClassLoader(), in(payload)).readObject();
                case "spring" -> new ConfigurableObjectInputStream(in(payload), Victim.class.getClassLoader()).readObject();
                case "weka" -> weka.core.SerializationHelper.read(in(payload));
                case "weka-predict" -> WekaPrediction.predict(weka.core.SerializationHelper.read(in(payload)));
                case "resolve-object" -> new SwappingStream(in(payload)).readObject();
                case "stream-filter" -> {
                    ObjectInputStream in = new ObjectInputStream(in(payload));
                    in.setObjectInputFilter(ObjectInputFilter.Config.createFilter(args[2]));
                    yield in.readObject();
                }
                case "set-factory" -> {
                    ObjectInputFilter hostFilter = ObjectInputFilter.Config.createFilter(args[2]);
                    ObjectInputFilter.Config.setSerialFilterFactory((current, next) -> hostFilter);
                    System.out.println("FACTORY set");
                    yield new ObjectInputStream(in(payload)).readObject();
                }
                case "set-factory-after-load" -> {
                    // ObjectInputStream loaded, no stream made yet: the host may still set its factory.
                    Class.forName("java.io.ObjectInputStream");
                    ObjectInputFilter hostFilter = ObjectInputFilter.Config.createFilter(args[2]);
                    ObjectInputFilter.Config.setSerialFilterFactory((current, next) -> hostFilter);
                    System.out.println("FACTORY set");
                    yield new ObjectInputStream(in(payload)).readObject();
                }
                case "chain-factory" -> {
                    // A host that composes with the factory already installed, as libraries do.
                    ObjectInputFilter hostFilter = ObjectInputFilter.Config.createFilter(args[2]);
                    var previous = ObjectInputFilter.Config.getSerialFilterFactory();
                    ObjectInputFilter.Config.setSerialFilterFactory((current, next) -> {
                        ObjectInputFilter composed = previous.apply(current, next);
                        return composed == null ? hostFilter : ObjectInputFilter.merge(hostFilter, composed);
                    });
                    System.out.println("FACTORY set");
                    yield new ObjectInputStream(in(payload)).readObject();
                }
                case "read-after-map" -> {
                    // A first stream that meets no Hashtable class, then the payload on a second one.
                    java.io.ByteArrayOutputStream first = new java.io.ByteArrayOutputStream();
                    try (java.io.ObjectOutputStream out = new java.io.ObjectOutputStream(first)) {
                        out.writeObject(new java.util.HashMap<>(java.util.Map.of("first", 1)));
                    }
                    new ObjectInputStream(in(first.toByteArray())).readObject();
                    yield new ObjectInputStream(in(payload)).readObject();
                }
                case "concurrent" -> concurrent(payload, Integer.parseInt(args[2]), Integer.parseInt(args[3]));
                case "spaced" -> spaced(payload, Integer.parseInt(args[2]), Long.parseLong(args[3]));
                default -> throw new IllegalArgumentException("unknown mode " + mode);
            };
            System.out.println("RESULT ok " + (result == null ? "null" : result.getClass().getName()) + " " + describe(result));
        } catch (InvalidClassException e) {
            System.out.println("RESULT refused " + e.getClass().getName() + ": " + e.getMessage());
        } catch (Throwable e) {
            System.out.println("RESULT failed " + e.getClass().getName() + ": " + e.getMessage());
        }
        System.out.println("ELAPSED_MS " + (System.nanoTime() - start) / 1_000_000);
        System.out.println("CPU_MS " + (threads.getCurrentThreadCpuTime() - cpuStart) / 1_000_000);
    }

    private static InputStream in(byte[] payload) {
        return new ByteArrayInputStream(payload);
    }

    private static String describe(Object result) {
        String text = String.valueOf(result);
        return text.length() > 200 ? text.substring(0, 200) : text;
    }

    /** Many threads read the payload at once; returns how many reads were refused. */
    private static String concurrent(byte[] payload, int threads, int perThread) throws InterruptedException {
        AtomicInteger refused = new AtomicInteger();
        AtomicInteger other = new AtomicInteger();
        CountDownLatch start = new CountDownLatch(1);
        Thread[] workers = new Thread[threads];
        for (int t = 0; t < threads; t++) {
            workers[t] = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < perThread; i++) {
                    try {
                        new ObjectInputStream(in(payload)).readObject();
                        other.incrementAndGet();
                    } catch (InvalidClassException e) {
                        refused.incrementAndGet();
                    } catch (IOException | ClassNotFoundException | RuntimeException e) {
                        other.incrementAndGet();
                    }
                }
            }, "reader-" + t);
            workers[t].start();
        }
        start.countDown();
        for (Thread w : workers) {
            w.join();
        }
        return "refused=" + refused.get() + " other=" + other.get();
    }

    /** Reads the payload {@code times} times, {@code millis} apart; returns how many reads were refused. */
    private static String spaced(byte[] payload, int times, long millis) throws Exception {
        int refused = 0;
        int other = 0;
        for (int i = 0; i < times; i++) {
            if (i > 0) {
                Thread.sleep(millis);
            }
            try {
                new ObjectInputStream(in(payload)).readObject();
                other++;
            } catch (InvalidClassException e) {
                refused++;
            }
        }
        return "refused=" + refused + " other=" + other;
    }

    /** A stream that replaces objects through resolveObject, as some RPC frameworks do. */
    static final class SwappingStream extends ObjectInputStream {
        SwappingStream(InputStream in) throws IOException {
            super(in);
            enableResolveObject(true);
        }

        @Override
        protected Object resolveObject(Object obj) {
            return "swap-me".equals(obj) ? new java.text.DecimalFormat("#.##") : obj;
        }
    }
}
