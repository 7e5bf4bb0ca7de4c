package dev.safeload.cli;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The options and operands of one command: {@code --flag}, {@code --name value} or
 * {@code --name=value}, and {@code --} before operands that start with a dash.
 */
final class CommandArguments {

    /** Arguments the command does not accept; the message says which. */
    static final class UsageException extends Exception {
        UsageException(String message) {
            super(message);
        }
    }

    private final Map<String, String> values = new HashMap<>();
    private final Set<String> flags = new HashSet<>();
    private final List<String> operands = new ArrayList<>();

    private CommandArguments() {
    }

    static CommandArguments parse(String[] args, Set<String> flagNames, Set<String> valueNames)
            throws UsageException {
        CommandArguments parsed = new CommandArguments();
        boolean onlyOperands = false;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (onlyOperands || !arg.startsWith("--") || arg.equals("-")) {
                parsed.operands.add(arg);
                continue;
            }
            if (arg.equals("--")) {
                onlyOperands = true;
                continue;
            }
            int eq = arg.indexOf('=');
            String name = eq > 0 ? arg.substring(0, eq) : arg;
            if (flagNames.contains(name)) {
                if (eq > 0) {
                    throw new UsageException(name + " takes no value");
                }
                parsed.flags.add(name);
            } else if (valueNames.contains(name)) {
                String value;
                if (eq > 0) {
                    value = arg.substring(eq + 1);
                } else if (i + 1 < args.length) {
                    value = args[++i];
                } else {
                    throw new UsageException(name + " needs a value");
                }
                if (parsed.values.put(name, value) != null) {
                    throw new UsageException(name + " given twice");
                }
            } else {
                throw new UsageException("unknown option " + name);
            }
        }
        return parsed;
    }

    boolean flag(String name) {
        return flags.contains(name);
    }

    /** The value of {@code name}, or {@code fallback}. */
    String value(String name, String fallback) {
        return values.getOrDefault(name, fallback);
    }

    List<String> operands() {
        return operands;
    }
}
