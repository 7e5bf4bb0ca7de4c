package dev.safeload.cli;

import dev.safeload.config.ConfigException;
import dev.safeload.config.ConfigKey;
import dev.safeload.config.PolicyCompiler;
import dev.safeload.config.Settings;
import dev.safeload.policy.Policy;
import java.io.PrintStream;
import java.util.List;
import java.util.Set;

/**
 * {@code check-policy}: validates configuration the way the agent would at start. A policy file
 * is given as {@code --policy FILE}, as {@code scan} takes it.
 */
final class CheckPolicyCommand {

    static final String USAGE = "check-policy [--policy FILE] [key=value,...]";

    private CheckPolicyCommand() {
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        CommandArguments parsed;
        try {
            parsed = CommandArguments.parse(args, Set.of("--help"), Set.of("--policy"));
        } catch (CommandArguments.UsageException e) {
            err.println("safeload: check-policy: " + e.getMessage());
            err.println("usage: " + USAGE);
            return 2;
        }
        if (parsed.flag("--help")) {
            out.println("usage: " + USAGE);
            out.println("Resolves the configuration as the agent would: the policy file (--policy FILE, the same as");
            out.println("the agent option policy=FILE), the agent options given here, -Dsafeload.* properties of");
            out.println("this command's JVM and SAFELOAD_* environment variables. Prints each key's effective value");
            out.println("and source and the policy digest; exit 0 when valid, 2 with the error when not.");
            return 0;
        }
        List<String> operands = parsed.operands();
        if (operands.size() > 1) {
            err.println("usage: " + USAGE);
            return 2;
        }
        String options = operands.isEmpty() ? null : operands.get(0);
        String policyFile = parsed.value("--policy", null);
        try {
            if (policyFile != null) {
                options = Settings.mergeAgentOptions(options, "policy=" + policyFile);
            }
            Settings settings = Settings.resolve(options, System.getProperties(), System.getenv());
            Policy policy = PolicyCompiler.compile(settings);
            for (String warning : settings.warnings()) {
                err.println("safeload: warning: " + warning);
            }
            for (String overridden : settings.overridden()) {
                err.println("safeload: warning: " + overridden);
            }
            out.println("policy: " + policy.source());
            out.println("digest: " + policy.digest());
            for (ConfigKey key : ConfigKey.values()) {
                var s = settings.setting(key);
                out.printf("  %-26s = %-40s (%s)%n", key.key(), s.value(), s.origin());
            }
            out.println("allow patterns: " + policy.serial().allowPatterns().patterns().size()
                    + ", deny patterns: " + policy.serial().denyPatterns().patterns().size());
            return 0;
        } catch (ConfigException e) {
            err.println("safeload: invalid configuration: " + e.getMessage());
            return 2;
        }
    }
}
