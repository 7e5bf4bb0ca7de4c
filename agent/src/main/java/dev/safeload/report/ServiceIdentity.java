package dev.safeload.report;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * Which service of a fleet wrote an event: ECS {@code service.name}, {@code service.version}
 * and {@code service.environment}, so a hundred inference servers on shared hosts can be told
 * apart. Each is null when the deployment does not say.
 */
public record ServiceIdentity(String name, String version, String environment) {

    public static final ServiceIdentity NONE = new ServiceIdentity(null, null, null);

    /**
     * The identity from Safeload's own keys first, then from the OpenTelemetry resource
     * conventions the deployment may already set for its tracing agent: {@code OTEL_SERVICE_NAME},
     * then {@code service.name}, {@code service.version} and {@code deployment.environment.name}
     * (or the older {@code deployment.environment}) in {@code OTEL_RESOURCE_ATTRIBUTES}.
     *
     * @param name {@code service.name} from the agent's configuration, or null/empty
     * @param version {@code service.version} from the agent's configuration, or null/empty
     * @param environmentName {@code service.environment} from the agent's configuration, or null/empty
     * @param env the process environment
     */
    public static ServiceIdentity resolve(String name, String version, String environmentName,
                                          Map<String, String> env) {
        Map<String, String> otel = resourceAttributes(env.get("OTEL_RESOURCE_ATTRIBUTES"));
        String otelEnvironment = firstSet(otel.get("deployment.environment.name"), otel.get("deployment.environment"));
        return new ServiceIdentity(
                firstSet(name, env.get("OTEL_SERVICE_NAME"), otel.get("service.name")),
                firstSet(version, otel.get("service.version")),
                firstSet(environmentName, otelEnvironment));
    }

    /** Adds the fields that are set to {@code line}. */
    void addTo(Map<String, Object> line) {
        if (name != null) {
            line.put("service.name", name);
        }
        if (version != null) {
            line.put("service.version", version);
        }
        if (environment != null) {
            line.put("service.environment", environment);
        }
    }

    /**
     * {@code key1=value1,key2=value2}, values percent-encoded as the OpenTelemetry SDKs read
     * them (W3C Baggage syntax); an entry without {@code =} or with a bad escape is ignored, as
     * the SDKs ignore it, rather than stopping the host over a tracing setting.
     */
    static Map<String, String> resourceAttributes(String text) {
        Map<String, String> attributes = new HashMap<>();
        if (text == null) {
            return attributes;
        }
        for (String entry : text.split(",")) {
            int eq = entry.indexOf('=');
            if (eq <= 0) {
                continue;
            }
            try {
                attributes.putIfAbsent(entry.substring(0, eq).strip(),
                        URLDecoder.decode(entry.substring(eq + 1).strip().replace("+", "%2B"), StandardCharsets.UTF_8));
            } catch (IllegalArgumentException badEscape) {
                // ignored, see above
            }
        }
        return attributes;
    }

    private static String firstSet(String... values) {
        for (String v : values) {
            if (v != null && !v.isBlank()) {
                return v.strip();
            }
        }
        return null;
    }
}
