package dev.safeload.agent;

import dev.safeload.config.ConfigException;
import dev.safeload.config.ConfigKey;
import dev.safeload.config.PolicyCompiler;
import dev.safeload.config.Setting;
import dev.safeload.config.Settings;
import dev.safeload.report.LogSettings;
import dev.safeload.report.ServiceIdentity;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Checks the log settings at start, so an unwritable log is a configuration error, not lost events. */
final class AgentLog {

    private AgentLog() {
    }

    /** The log settings, with the service identity from {@code settings} and the process environment. */
    static LogSettings settings(Settings settings) throws ConfigException {
        // OTEL_* are read from the real environment: they belong to the deployment, not to
        // Safeload's configuration sources, and a bad value only leaves a field out.
        return settings(settings, System.getenv());
    }

    static LogSettings settings(Settings settings, Map<String, String> environment) throws ConfigException {
        Setting log = settings.setting(ConfigKey.LOG);
        String destination = log.value();
        if (destination.isEmpty()) {
            throw new ConfigException(log.problem("must name a file, stdout or stderr"));
        }
        if (destination.equalsIgnoreCase("stdout") || destination.equalsIgnoreCase("stderr")) {
            destination = destination.toLowerCase(java.util.Locale.ROOT); // enumerated values take any case
        } else {
            Path path = Path.of(destination).toAbsolutePath();
            Path dir = path.getParent();
            while (dir != null && !Files.exists(dir)) {
                dir = dir.getParent();
            }
            if (Files.isDirectory(path) || dir == null || !Files.isDirectory(dir) || !Files.isWritable(dir)
                    || (Files.exists(path) && !Files.isWritable(path))) {
                throw new ConfigException(log.problem("cannot write the violation log at " + path));
            }
            destination = path.toString();
        }
        long maxFileSize = PolicyCompiler.size(settings.setting(ConfigKey.LOG_MAX_FILE_SIZE));
        int maxHistory = smallPositive(settings.setting(ConfigKey.LOG_MAX_HISTORY));
        int rate = smallPositive(settings.setting(ConfigKey.LOG_RATE_LIMIT));
        ServiceIdentity service = ServiceIdentity.resolve(settings.get(ConfigKey.SERVICE_NAME),
                settings.get(ConfigKey.SERVICE_VERSION), settings.get(ConfigKey.SERVICE_ENVIRONMENT), environment);
        return new LogSettings(destination, maxFileSize, maxHistory, rate, service);
    }

    private static int smallPositive(Setting s) throws ConfigException {
        try {
            int v = Integer.parseInt(s.value());
            if (v > 0) {
                return v;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new ConfigException(s.problem("expected a positive whole number, got \"" + s.value() + "\""));
    }
}
