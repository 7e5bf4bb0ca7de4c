package dev.safeload.cli;

import dev.safeload.config.ConfigException;
import dev.safeload.config.ConfigKey;
import dev.safeload.config.PolicyCompiler;
import dev.safeload.config.Settings;
import dev.safeload.policy.Policy;
import java.io.PrintStream;

/** {@code check-policy}: validates configuration the way the agent would at start. */
final class CheckPolicyCommand {

    private CheckPolicyCommand() {
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length > 1) {
            err.println("usage: check-policy [key=value,...]");
            return 2;
        }
        try {
            Settings settings = Settings.resolve(args.length == 1 ? args[0] : null,
                    System.getProperties(), System.getenv());
            Policy policy = PolicyCompiler.compile(settings);
            out.println("policy: " + policy.source());
            out.println("digest: " + policy.digest());
            for (ConfigKey key : ConfigKey.values()) {
                var s = settings.setting(key);
                out.printf("  %-18s = %-40s (%s)%n", key.key(), s.value(), s.origin());
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
