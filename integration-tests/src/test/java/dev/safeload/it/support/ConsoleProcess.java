package dev.safeload.it.support;

import dev.safeload.it.victim.Console;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A running {@link Console} victim: send a command, get its answer line. */
public final class ConsoleProcess implements AutoCloseable {

    private final Process process;
    private final PrintWriter in;
    private final BufferedReader out;
    private final long pid;

    private ConsoleProcess(Process process) throws IOException {
        this.process = process;
        this.in = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
        this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        String ready = out.readLine();
        if (ready == null || !ready.startsWith("READY ")) {
            throw new IOException("the console did not start: " + ready);
        }
        this.pid = Long.parseLong(ready.substring(6).trim());
    }

    /** Starts the console on {@code jdk}, with {@code -javaagent:...=agentOptions} unless null. */
    public static ConsoleProcess start(Jdks.Jdk jdk, Path dir, String agentOptions, String... jvmArgs) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(jdk.java().toString());
        if (agentOptions != null) {
            command.add("-javaagent:" + ForkedJvm.agentJar() + (agentOptions.isEmpty() ? "" : "=" + agentOptions));
        }
        command.addAll(List.of(jvmArgs));
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(Console.class.getName());
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("SAFELOAD_"));
        pb.redirectError(dir.resolve("console-stderr.txt").toFile());
        return new ConsoleProcess(pb.start());
    }

    public long pid() {
        return pid;
    }

    /** Sends one command and returns its answer. */
    public String send(String command) throws IOException {
        in.println(command);
        String answer = out.readLine();
        if (answer == null) {
            throw new IOException("the console died after: " + command);
        }
        return answer;
    }

    @Override
    public void close() throws Exception {
        in.println("quit");
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
