package dev.safeload.it.victim;

import java.io.BufferedReader;
import java.io.FileInputStream;
import java.io.InputStreamReader;
import java.io.InvalidClassException;
import java.io.ObjectInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A long-running victim driven line by line on stdin, for tests that change something while it
 * runs (attach, policy reload, JMX): {@code read FILE}, {@code open FILE} (create a stream now),
 * {@code readopen} (read the next object of that stream), {@code spin FILE}, {@code stop},
 * {@code rpc MODE FILE} (a Kryo, Hessian or Pyrolite read, see {@link RpcVictim}),
 * {@code jmxmode MODE} (set the agent's mode through the platform MBean server, as code running
 * in the process could), {@code doc MODE FILE} (read a YAML or JSON document as
 * {@link DocumentVictim} does in that mode), {@code weka}, {@code ort}, {@code djl} and
 * {@code store} with a model ({@link ModelCommands}), {@code quit}.
 * Each command answers one line on stdout.
 */
public final class Console {

    private Console() {
    }

    public static void main(String[] args) throws Exception {
        System.out.println("READY " + ProcessHandle.current().pid());
        BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        ObjectInputStream open = null;
        Thread spinner = null;
        AtomicBoolean spinning = new AtomicBoolean();
        AtomicInteger refused = new AtomicInteger();
        AtomicInteger ok = new AtomicInteger();
        for (String line; (line = commands.readLine()) != null; ) {
            String[] words = line.split(" ", 2);
            switch (words[0]) {
                case "read" -> System.out.println(result(() -> {
                    try (ObjectInputStream in = new ObjectInputStream(Files.newInputStream(Path.of(words[1])))) {
                        return in.readObject();
                    }
                }));
                case "open" -> {
                    open = new ObjectInputStream(new FileInputStream(words[1]));
                    System.out.println("OPENED");
                }
                case "readopen" -> {
                    ObjectInputStream in = open;
                    System.out.println(result(in::readObject));
                }
                case "spin" -> {
                    byte[] payload = Files.readAllBytes(Path.of(words[1]));
                    spinning.set(true);
                    spinner = new Thread(() -> {
                        while (spinning.get()) {
                            try {
                                new ObjectInputStream(new java.io.ByteArrayInputStream(payload)).readObject();
                                ok.incrementAndGet();
                            } catch (InvalidClassException e) {
                                refused.incrementAndGet();
                            } catch (Exception e) {
                                ok.incrementAndGet();
                            }
                        }
                    });
                    spinner.start();
                    System.out.println("SPINNING");
                }
                case "stop" -> {
                    spinning.set(false);
                    spinner.join();
                    System.out.println("SPIN refused=" + refused.get() + " ok=" + ok.get());
                }
                case "jmxmode" -> System.out.println(setModeInProcess(words[1]));
                case "rpc" -> System.out.println(RpcVictim.result(words[1].split(" ", 2)[0],
                        Path.of(words[1].split(" ", 2)[1])).replace('\n', ' ')); // one line per answer
                case "doc" -> {
                    String[] modeAndFile = words[1].split(" ", 2);
                    // SnakeYAML's marked exceptions end their message with a newline: one answer, one line.
                    System.out.println(result(() -> DocumentVictim.read(modeAndFile[0],
                            Files.readString(Path.of(modeAndFile[1])))).replace('\n', ' ').strip());
                }
                case "weka", "ort", "djl", "store" -> System.out.println(ModelCommands.run(words[0], words[1]));
                case "quit" -> {
                    System.out.println("BYE");
                    return;
                }
                default -> System.out.println("UNKNOWN " + line);
            }
            System.out.flush();
        }
    }

    private static String setModeInProcess(String mode) {
        try {
            javax.management.MBeanServer server = java.lang.management.ManagementFactory.getPlatformMBeanServer();
            javax.management.ObjectName agent = new javax.management.ObjectName("dev.safeload:type=Agent");
            for (int i = 0; i < 100 && !server.isRegistered(agent); i++) {
                Thread.sleep(100);
            }
            server.setAttribute(agent, new javax.management.Attribute("Mode", mode));
            return "MODE " + server.getAttribute(agent, "Mode");
        } catch (Exception e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            return "MODEFAILED " + cause.getMessage();
        }
    }

    private interface Read {
        Object read() throws Exception;
    }

    private static String result(Read read) {
        try {
            Object value = read.read();
            return "RESULT ok " + (value == null ? "null" : value.getClass().getName());
        } catch (InvalidClassException e) {
            return "RESULT refused " + e.getMessage();
        } catch (Throwable e) {
            return "RESULT failed " + e;
        }
    }
}
