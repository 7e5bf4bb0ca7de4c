package dev.safeload.policy;

import dev.safeload.model.ModelPolicy;
import java.util.List;
import java.util.Set;

/**
 * One immutable snapshot of everything the agent enforces. A new policy replaces the old one
 * with a single volatile write, so a check sees either the old snapshot or the new one.
 *
 * @param mode what to do with a failed check
 * @param serial the Java serialization allowlist and limits
 * @param modelPolicy what model files may load, made on first use when it is all defaults
 * @param hooks extra model-loading methods to check
 * @param allowNativeLibraries whether model libraries may load native code
 * @param xmlDecoderMethods {@code xmldecoder.allowMethods}: the methods, as {@code Class.method},
 *     an XMLDecoder document may call beyond its defaults
 * @param source where the policy came from, for logs and errors
 * @param settingsDigest SHA-256 of the effective settings, to tell policies apart in logs
 */
public record Policy(Mode mode, SerialPolicy serial, Once<ModelPolicy> modelPolicy, List<ModelHook> hooks,
                     boolean allowNativeLibraries, Set<String> xmlDecoderMethods, String source,
                     PolicyDigest settingsDigest) {

    /** The same policy in another mode. */
    public Policy withMode(Mode next) {
        return new Policy(next, serial, modelPolicy, hooks, allowNativeLibraries, xmlDecoderMethods, source,
                settingsDigest);
    }

    /** What model files may load. */
    public ModelPolicy model() {
        return modelPolicy.get();
    }

    /** SHA-256 of the effective settings, as 64 hex digits; computed on first use. */
    public String digest() {
        return settingsDigest.hex();
    }
}
