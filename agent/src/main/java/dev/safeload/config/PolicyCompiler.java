package dev.safeload.config;

import dev.safeload.model.ModelPolicies;
import dev.safeload.model.ModelPolicy;
import dev.safeload.policy.ClassPatterns;
import dev.safeload.policy.Mode;
import dev.safeload.policy.ModelHook;
import dev.safeload.policy.Once;
import dev.safeload.policy.Policy;
import dev.safeload.policy.PolicyDigest;
import dev.safeload.policy.Presets;
import dev.safeload.policy.ScopedRule;
import dev.safeload.policy.SerialLimits;
import dev.safeload.policy.SerialPolicy;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/** Turns checked settings into a {@link Policy}; every error names the setting's origin and key. */
public final class PolicyCompiler {

    private PolicyCompiler() {
    }

    /** Compiles {@code settings} into a policy snapshot. */
    public static Policy compile(Settings settings) throws ConfigException {
        // No lambdas on this path: each costs premain a class spun at first use.
        Setting modeSetting = settings.setting(ConfigKey.MODE);
        Mode mode;
        try {
            mode = Mode.parse(modeSetting.value());
        } catch (IllegalArgumentException e) {
            throw problem(modeSetting, e);
        }

        ClassPatterns allow = Presets.defaultAllow();
        ClassPatterns deny = Presets.gadgetDeny();
        List<ScopedRule> scoped = new ArrayList<>(); // the policy's own; the JDK's are SerialPolicy.withJdkScoped's
        for (String preset : list(settings.get(ConfigKey.SERIAL_PRESETS))) {
            String name = preset.toLowerCase(Locale.ROOT);
            allow = allow.plus(parse(settings.setting(ConfigKey.SERIAL_PRESETS), v -> Presets.preset(name)));
        }
        List<String> allowed = new ArrayList<>();
        List<String> denied = new ArrayList<>();
        for (String pattern : list(settings.get(ConfigKey.SERIAL_ALLOW))) {
            if (ScopedRule.isScoped(pattern)) {
                boolean isDeny = pattern.startsWith("!");
                scoped.add(parse(settings.setting(ConfigKey.SERIAL_ALLOW),
                        v -> ScopedRule.parse(isDeny ? pattern.substring(1) : pattern, !isDeny)));
            } else if (pattern.startsWith("!")) {
                denied.add(pattern.substring(1));
            } else {
                allowed.add(pattern);
            }
        }
        int deniedInAllow = denied.size(); // '!pattern' entries of serial.allow: errors name that key
        Setting denySetting = settings.setting(ConfigKey.SERIAL_DENY);
        for (String pattern : list(denySetting.value())) {
            if (pattern.startsWith("!")) {
                throw new ConfigException(denySetting.problem("\"" + pattern
                        + "\": serial.deny takes plain patterns; '!' belongs in serial.allow"));
            }
            if (ScopedRule.isScoped(pattern)) {
                scoped.add(parse(denySetting, v -> ScopedRule.parse(pattern, false)));
            } else {
                denied.add(pattern);
            }
        }
        Setting allowSetting = settings.setting(ConfigKey.SERIAL_ALLOW);
        try {
            allow = allow.plus(ClassPatterns.of(allowed));
        } catch (IllegalArgumentException e) {
            throw problem(allowSetting, e);
        }
        Setting denyOrigin = deniedInAllow > 0 ? allowSetting : denySetting;
        try {
            deny = deny.plus(ClassPatterns.of(denied));
        } catch (IllegalArgumentException e) {
            throw problem(denyOrigin, e);
        }

        Setting depthSetting = settings.setting(ConfigKey.SERIAL_MAX_DEPTH);
        SerialLimits limits;
        try {
            limits = new SerialLimits(positive(depthSetting), positive(settings.setting(ConfigKey.SERIAL_MAX_REFS)),
                    size(settings.setting(ConfigKey.SERIAL_MAX_BYTES)), positive(settings.setting(ConfigKey.SERIAL_MAX_ARRAY)));
        } catch (IllegalArgumentException e) {
            throw problem(depthSetting, e);
        }

        Setting unconstructedSetting = settings.setting(ConfigKey.SERIAL_ALLOW_WITHOUT_CONSTRUCTOR);
        ClassPatterns unconstructed;
        try {
            unconstructed = ClassPatterns.of(list(unconstructedSetting.value()));
        } catch (IllegalArgumentException e) {
            throw problem(unconstructedSetting, e);
        }

        SerialPolicy serial = SerialPolicy.withJdkScoped(allow, deny, scoped, limits, unconstructed);
        Once<ModelPolicy> model = modelPolicy(settings, serial);
        Setting hookSetting = settings.setting(ConfigKey.MODEL_HOOKS);
        // Blank is the usual case, and ModelHook's pattern costs premain milliseconds to compile.
        List<ModelHook> hooks = hookSetting.value().isBlank() ? List.of() : parse(hookSetting, ModelHook::parseAll);
        boolean allowNative = flag(settings.setting(ConfigKey.MODEL_ALLOW_NATIVE_LIBRARIES));
        Set<String> xmlDecoderMethods = memberNames(settings.setting(ConfigKey.XMLDECODER_ALLOW_METHODS));
        // Checked here so that check-policy and a start see a bad value the same way.
        flag(settings.setting(ConfigKey.JMX));
        flag(settings.setting(ConfigKey.RUNTIME_ALLOW_LOOSENING));
        choice(settings.setting(ConfigKey.ON_CONFIG_ERROR), "fail", "defaults");
        return new Policy(mode, serial, model, hooks, allowNative, xmlDecoderMethods, settings.policySource(),
                digest(settings));
    }

    /** The built-in model policy, made when a model is first checked. A class: no lambda at premain. */
    private record DefaultModelPolicy(SerialPolicy serial) implements java.util.function.Supplier<ModelPolicy> {
        @Override
        public ModelPolicy get() {
            try {
                return ModelPolicies.parse(Map.of(), serial);
            } catch (ConfigException impossible) {
                throw new IllegalStateException("the built-in model policy is invalid", impossible);
            }
        }
    }

    private static final List<ConfigKey> MODEL_KEYS = List.of(ConfigKey.MODEL_ALLOW_FORMATS,
            ConfigKey.MODEL_PICKLE_ALLOW, ConfigKey.MODEL_TRUSTED_DIRS, ConfigKey.MODEL_SHA256);

    /**
     * The model policy; each key is checked alone first, so an error names its own origin. With
     * no model key set there is nothing to check, and the defaults are made on first use.
     */
    private static Once<ModelPolicy> modelPolicy(Settings settings, SerialPolicy serial) throws ConfigException {
        boolean allDefaults = true;
        for (ConfigKey key : MODEL_KEYS) {
            allDefaults &= settings.setting(key).value().isEmpty();
        }
        if (allDefaults) {
            return Once.of(new DefaultModelPolicy(serial));
        }
        Map<String, String> values = new HashMap<>();
        for (ConfigKey key : MODEL_KEYS) {
            Setting s = settings.setting(key);
            if (!s.value().isEmpty()) {
                try {
                    ModelPolicies.parse(Map.of(key.key(), s.value()), serial);
                } catch (ConfigException e) {
                    throw new ConfigException(s.problem(e.getMessage().replaceFirst("^" + java.util.regex.Pattern.quote(key.key()) + ": ", "")), e);
                }
                values.put(key.key(), s.value());
            }
        }
        return Once.ready(ModelPolicies.parse(values, serial));
    }

    /** Splits a list value on ';', ',' and white space. */
    public static List<String> list(String value) {
        List<String> items = new ArrayList<>();
        if (value != null) {
            // By hand, not String.split: a regex costs premain several milliseconds interpreted.
            int start = -1;
            for (int i = 0; i <= value.length(); i++) {
                boolean separator = i == value.length() || value.charAt(i) == ';' || value.charAt(i) == ','
                        || Character.isWhitespace(value.charAt(i));
                if (separator && start >= 0) {
                    items.add(value.substring(start, i));
                    start = -1;
                } else if (!separator && start < 0) {
                    start = i;
                }
            }
        }
        return items;
    }

    /**
     * A true/false key. Enumerated values are accepted in any case (mode=AUDIT, jmx=False), the
     * same for every enumerated key; anything else is an error naming the key.
     */
    public static boolean flag(Setting s) throws ConfigException {
        return choice(s, "true", "false").equals("true");
    }

    /** One of {@code allowed}, in any case, returned in lower case. */
    static String choice(Setting s, String... allowed) throws ConfigException {
        String v = s.value().strip().toLowerCase(Locale.ROOT);
        for (String a : allowed) {
            if (a.equals(v)) {
                return a;
            }
        }
        throw new ConfigException(s.problem("expected " + String.join(" or ", allowed) + ", got \"" + s.value() + "\""));
    }

    /**
     * Exact {@code Class.method} entries (a class name as {@code Class.getName} gives it, a dot,
     * a member name): no patterns, since a method allowlist is only as good as it is narrow.
     */
    static Set<String> memberNames(Setting s) throws ConfigException {
        if (s.value().isBlank()) {
            return Set.of(); // the usual case: no set, copy or iterator classes at premain
        }
        Set<String> members = new java.util.LinkedHashSet<>();
        for (String entry : list(s.value())) {
            int dot = entry.lastIndexOf('.');
            if (dot <= 0 || !javaName(entry.substring(0, dot), true) || !javaName(entry.substring(dot + 1), false)) {
                throw new ConfigException(s.problem("\"" + entry + "\": expected an exact Class.method entry such as"
                        + " com.acme.Order.addLine (no patterns)"));
            }
            members.add(entry);
        }
        return Set.copyOf(members);
    }

    /** A Java identifier, or with {@code dotted} several joined by dots ({@code $} allowed, as in nested classes). */
    private static boolean javaName(String name, boolean dotted) {
        boolean start = true;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (dotted && c == '.' && !start && i < name.length() - 1) {
                start = true;
            } else if (start ? Character.isJavaIdentifierStart(c) : Character.isJavaIdentifierPart(c)) {
                start = false;
            } else {
                return false;
            }
        }
        return !start;
    }

    /** A positive whole number. */
    static long positive(Setting s) throws ConfigException {
        try {
            long v = Long.parseLong(s.value().replace("_", ""));
            if (v > 0) {
                return v;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new ConfigException(s.problem("expected a positive whole number, got \"" + s.value() + "\""));
    }

    /** A positive size in bytes, optionally with a KB, MB or GB suffix (powers of 1024). */
    public static long size(Setting s) throws ConfigException {
        String v = s.value().toUpperCase(Locale.ROOT).replace("_", "").strip();
        long unit = 1;
        for (String[] suffix : new String[][] {{"KB", "1024"}, {"MB", "1048576"}, {"GB", "1073741824"}}) {
            if (v.endsWith(suffix[0])) {
                unit = Long.parseLong(suffix[1]);
                v = v.substring(0, v.length() - 2).strip();
                break;
            }
        }
        try {
            long n = Long.parseLong(v);
            if (n > 0 && n <= Long.MAX_VALUE / unit) {
                return n * unit;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new ConfigException(s.problem("expected a positive size such as 1048576, 512KB, 50MB or 1GB, got \""
                + s.value() + "\""));
    }

    private interface Parser<T> {
        T parse(String value) throws ConfigException;
    }

    private static ConfigException problem(Setting s, IllegalArgumentException e) {
        return new ConfigException(s.problem(e.getMessage()), e);
    }

    private static <T> T parse(Setting s, Parser<T> parser) throws ConfigException {
        try {
            return parser.parse(s.value());
        } catch (IllegalArgumentException e) {
            throw new ConfigException(s.problem(e.getMessage()), e);
        }
    }

    /**
     * The digest of {@code settings}, whose text is made when the digest is first asked for: at
     * premain it was about 100 appends, interpreted, for a value the start event reads 2 s later.
     */
    private static PolicyDigest digest(Settings settings) {
        return new PolicyDigest(new Canonical(settings));
    }

    /** The effective settings, one {@code key=value} a line in the keys' order. A class: no lambda at premain. */
    private record Canonical(Settings settings) implements Supplier<String> {
        @Override
        public String get() {
            StringBuilder canonical = new StringBuilder();
            for (ConfigKey key : ConfigKey.values()) {
                // Who logs is not what is allowed: one policy keeps one digest across a fleet.
                if (key != ConfigKey.POLICY && key != ConfigKey.LOG && !key.key().startsWith("service.")) {
                    canonical.append(key.key()).append('=').append(settings.get(key)).append('\n');
                }
            }
            return canonical.toString();
        }
    }
}
