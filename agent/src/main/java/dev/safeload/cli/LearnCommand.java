package dev.safeload.cli;

import dev.safeload.config.ConfigException;
import dev.safeload.config.PolicyCompiler;
import dev.safeload.config.PolicyFile;
import dev.safeload.config.Settings;
import dev.safeload.ops.BasePolicy;
import dev.safeload.ops.GadgetCatalog;
import dev.safeload.ops.LearnedPolicyText;
import dev.safeload.ops.LogEvent;
import dev.safeload.ops.PolicyLearner;
import dev.safeload.ops.Printable;
import dev.safeload.ops.ViolationLogReader;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.List;
import java.util.Set;

/**
 * {@code learn}: turns audit logs into a policy file for people to review. Exit 0 when it is
 * written, 3 when the logs hold gadget classes or model files the gate would block (written
 * commented out, not pinned) and --allow-dangerous was not given, 2 on a usage or I/O error
 * (nothing written).
 */
final class LearnCommand {

    static final String USAGE = "learn --out POLICY [--base POLICY] [--widen] [--allow-dangerous] LOG...";

    static final int DANGEROUS = 3;

    private static final String HELP = """
            Turns audit logs into a policy file (Java properties) for people to review: one
            serial.allow entry per class the allowlist did not cover, grouped by package, with the
            count and first call site of each, and model.sha256 pins for the model files the
            gate saw. Gadget classes are written commented out; model files the gate would
            block are not pinned. Exit 0; 3 if the logs hold either and --allow-dangerous was
            not given; 2 on a usage or I/O error (nothing written).

              --out POLICY        the policy file to write (replaced in one step)
              --base POLICY       start from this policy: keep its entries, add what is new
              --widen             allow pkg.* instead of each class (never JDK packages or
                                  packages that hold gadget classes)
              --allow-dangerous   allow gadget building blocks and pin blocked model files too,
                                  under a warning comment
            """;

    private LearnCommand() {
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        return run(args, out, err, Clock.systemUTC());
    }

    static int run(String[] args, PrintStream out, PrintStream err, Clock clock) {
        if (List.of(args).contains("--help")) {
            out.println("usage: " + USAGE);
            out.print(HELP);
            return 0;
        }
        Path target;
        boolean widen;
        boolean allowDangerous;
        BasePolicy base;
        List<Path> logs;
        try {
            CommandArguments a = CommandArguments.parse(args, Set.of("--widen", "--allow-dangerous"),
                    Set.of("--out", "--base"));
            String outValue = a.value("--out", null);
            if (outValue == null || outValue.isBlank()) {
                throw new CommandArguments.UsageException("--out POLICY is required");
            }
            if (a.operands().isEmpty()) {
                throw new CommandArguments.UsageException("name at least one log file or directory");
            }
            target = Path.of(outValue);
            if (Files.isDirectory(target)) {
                throw new CommandArguments.UsageException("--out " + target + " is a directory; name the policy file");
            }
            widen = a.flag("--widen");
            allowDangerous = a.flag("--allow-dangerous");
            String baseValue = a.value("--base", null);
            base = baseValue == null ? BasePolicy.none() : BasePolicy.read(Path.of(baseValue));
            logs = ViolationLogReader.expand(a.operands().stream().map(Path::of).toList());
        } catch (CommandArguments.UsageException | IllegalArgumentException e) {
            err.println("safeload learn: " + e.getMessage());
            err.println("usage: " + USAGE);
            return 2;
        } catch (ConfigException e) {
            err.println("safeload learn: --base: " + e.getMessage());
            return 2;
        } catch (IOException e) {
            err.println("safeload learn: " + e.getMessage());
            return 2;
        }

        PolicyLearner learner = new PolicyLearner();
        long[] malformed = {0};
        List<ViolationLogReader.FileStats> stats = ViolationLogReader.read(logs, null, new ViolationLogReader.Visitor() {
            @Override
            public void event(LogEvent event) {
                learner.event(event);
            }

            @Override
            public void malformed(Path file, long line, String reason) {
                if (malformed[0]++ < 5) {
                    err.println("safeload learn: " + Printable.text(file.toString()) + " line " + line
                            + ": skipped, " + Printable.text(reason));
                }
            }
        });
        for (ViolationLogReader.FileStats f : stats) {
            if (f.error() != null) {
                // A policy learned from part of a log would refuse what the rest shows the application needs.
                err.println("safeload learn: " + f.file() + ": " + f.error() + "; nothing written");
                return 2;
            }
        }
        if (malformed[0] > 5) {
            err.println("safeload learn: " + (malformed[0] - 5) + " more malformed lines skipped");
        }

        PolicyLearner.Result result = learner.learn(base, GadgetCatalog.builtIn(), widen, allowDangerous);
        String text = LearnedPolicyText.render(result, base, logs, clock.instant());
        try {
            // The agent must accept what learn writes; a failure here is a bug in learn, not in the logs.
            PolicyCompiler.compile(Settings.of(PolicyFile.parse(text.getBytes(StandardCharsets.UTF_8),
                    "learned policy"), "learned policy"));
        } catch (ConfigException e) {
            err.println("safeload learn: internal error, the learned policy does not compile: " + e.getMessage()
                    + "; nothing written");
            return 2;
        }
        try {
            writeAtomically(target, text);
        } catch (IOException e) {
            err.println("safeload learn: " + target + ": cannot write it: " + e);
            return 2;
        }

        for (PolicyLearner.Candidate c : result.dangerous()) {
            err.println("safeload learn: WARNING: " + Printable.text(c.seen().firstWhere()) + ": "
                    + c.className() + (c.dangerous().pattern() == null ? " was " + c.dangerous().reason() + "; "
                    : " is a known gadget building block (" + c.dangerous().reason() + "); ")
                    + (c.allowed() ? "allowed because of --allow-dangerous"
                    : c.dangerous().refusedByAgent() ? "the agent refuses it whatever a policy says; written commented out"
                    : "written commented out, not allowed (review it; --allow-dangerous allows it)"));
        }
        long dangerousEntries = 0;
        StringBuilder documentKeys = new StringBuilder();
        for (PolicyLearner.DocumentKey k : result.documentKeys()) {
            for (PolicyLearner.DocumentEntry e : k.learned()) {
                if (e.reason() != null && e.reason().startsWith("DANGEROUS")) {
                    dangerousEntries++;
                    err.println("safeload learn: WARNING: " + Printable.text(e.seen().firstWhere()) + ": " + k.key() + " "
                            + Printable.text(e.entry()) + ": " + Printable.text(e.reason()) + "; not written");
                }
            }
            int n = k.items().size() - k.kept().size();
            if (n > 0) {
                documentKeys.append(", ").append(n).append(' ').append(k.key()).append(n == 1 ? " entry" : " entries");
            }
        }
        long blockedModels = 0;
        for (PolicyLearner.Pin p : result.pins()) {
            if (p.blocked()) {
                blockedModels++;
                err.println("safeload learn: WARNING: " + Printable.text(p.firstWhere()) + ": the model gate would block "
                        + Printable.text(String.join(", ", p.paths())) + " (sha256 " + p.sha256() + ", rule "
                        + Printable.text(String.join(", ", p.rules())) + "); "
                        + (p.allowed() ? "pinned because of --allow-dangerous: it will load without any check"
                        : "not pinned (review it; --allow-dangerous pins it)"));
            }
        }
        int learned = result.patterns().size() - result.kept().size();
        out.println("safeload learn: wrote " + target + ": " + learned + " serial.allow "
                + (learned == 1 ? "pattern" : "patterns") + documentKeys + " learned from " + result.events() + " events"
                + (result.kept().isEmpty() ? "" : ", " + result.kept().size() + " kept from " + base.path())
                + (result.dangerous().isEmpty() ? "" : ", " + result.dangerous().size() + " dangerous")
                + (result.rejected().isEmpty() ? "" : ", " + result.rejected().size() + " not allowed")
                + (result.pins().isEmpty() ? "" : ", " + result.pins().size() + " model "
                        + (result.pins().size() == 1 ? "digest" : "digests")
                        + (blockedModels == 0 ? "" : " (" + blockedModels + " the gate would block)")));
        boolean dangerous = !result.dangerous().isEmpty() || blockedModels > 0 || dangerousEntries > 0;
        return dangerous && !allowDangerous ? DANGEROUS : 0;
    }

    /** Replaces {@code target} in one step, so an agent watching it never reads half a policy. */
    private static void writeAtomically(Path target, String text) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Path temp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp");
        try {
            Files.writeString(temp, text, StandardCharsets.UTF_8);
            // createTempFile makes the file owner-only; a policy is no secret and the agent may run as another user.
            try {
                Files.setPosixFilePermissions(temp, Files.exists(target)
                        ? Files.getPosixFilePermissions(target) : PosixFilePermissions.fromString("rw-r--r--"));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system: the default permissions stand
            }
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(temp);
        }
    }
}
