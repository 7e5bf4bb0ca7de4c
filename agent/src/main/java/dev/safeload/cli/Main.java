package dev.safeload.cli;

import dev.safeload.Version;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/** The command line: {@code java -jar safeload-agent.jar <command> ...}. */
public final class Main {

    /** One subcommand: it gets its arguments and both streams, and returns the exit code. */
    interface Command {
        int run(String[] args, PrintStream out, PrintStream err);
    }

    private record Entry(String usage, String summary, Command command) {
    }

    private static final Map<String, Entry> COMMANDS = new LinkedHashMap<>();

    static {
        COMMANDS.put("attach", new Entry(AttachCommand.USAGE,
                "Load the agent into a running JVM (no restart) and show what it now protects",
                AttachCommand::run));
        COMMANDS.put("check-policy", new Entry(CheckPolicyCommand.USAGE,
                "Resolve the configuration as the agent would (policy file, -D, SAFELOAD_*), print the effective policy, exit 2 if invalid",
                CheckPolicyCommand::run));
        COMMANDS.put("scan", new Entry(ScanCommand.USAGE,
                "Check model files and folders (pickle, PyTorch, NumPy, joblib, ...) against the model policy; exit 1 if any is blocked",
                ScanCommand::run));
        COMMANDS.put("report", new Entry("report [options] LOG...",
                "Sum violation logs up (rotated, gzip, directories): counts, first/last seen, top offenders; report --help",
                ReportCommand::run));
        COMMANDS.put("learn", new Entry("learn --out FILE [options] LOG...",
                "Turn audit logs into a policy file to review; exit 3 if they hold gadget classes; learn --help",
                LearnCommand::run));
    }

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs one command and returns its exit code: 0 success, 1 findings, 2 usage or I/O error. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help")) {
            usage(args.length == 0 ? err : out);
            return args.length == 0 ? 2 : 0;
        }
        if (args[0].equals("--version") || args[0].equals("version")) {
            out.println("safeload " + version());
            return 0;
        }
        Entry entry = COMMANDS.get(args[0]);
        if (entry == null) {
            err.println("safeload: unknown command \"" + args[0] + "\"");
            usage(err);
            return 2;
        }
        return entry.command().run(Arrays.copyOfRange(args, 1, args.length), out, err);
    }

    private static void usage(PrintStream out) {
        out.println("Safeload " + version() + ": guards Java deserialization and model loading.");
        out.println();
        out.println("As an agent:  java -javaagent:safeload-agent.jar[=key=value,...] -jar app.jar");
        out.println("As a tool:    java -jar safeload-agent.jar <command> [options]");
        out.println();
        out.println("Commands:");
        for (Entry e : COMMANDS.values()) {
            out.printf("  %-34s %s%n", e.usage(), e.summary());
        }
        out.printf("  %-34s %s%n", "--help", "Show this help; <command> --help explains one command");
        out.printf("  %-34s %s%n", "--version", "Show the version");
    }

    static String version() {
        return Version.VERSION;
    }
}
