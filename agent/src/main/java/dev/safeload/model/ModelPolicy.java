package dev.safeload.model;

import dev.safeload.model.pickle.PickleImports;
import dev.safeload.policy.ClassPatterns;
import dev.safeload.policy.SerialPolicy;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * What the model gate accepts.
 *
 * @param allowFormats formats that may load at all ({@code model.allowFormats})
 * @param pickleAllowAdded Python globals (module.qualname) a pickle may import besides the
 *     built-in safe globals, JDK pattern style: the patterns of {@code model.pickle.allow}
 * @param pickleDenyAdded Python globals refused besides the built-in dangerous globals: the
 *     {@code !} patterns of {@code model.pickle.allow}
 * @param trustedDirs folders whose files are not checked ({@code model.trustedDirs})
 * @param sha256Pins digests of files allowed without checks ({@code model.sha256})
 * @param serial the Java serialization policy, for {@code AC ED 00 05} streams
 */
public record ModelPolicy(Set<String> allowFormats, ClassPatterns pickleAllowAdded, ClassPatterns pickleDenyAdded,
                          List<Path> trustedDirs, Set<String> sha256Pins, SerialPolicy serial) {

    /*
     * The built-in lists join at the first pickle, not when the policy is built: the model policy
     * is built at the host's first model load, and reading and compiling the two lists (about 300
     * patterns, 4-5 ms of CPU in a fresh JVM) was most of that step on a server whose model is no
     * pickle (ONNX, a Weka model). Each list is read once (PickleImports caches it); without
     * model.pickle.allow, plus() returns the cached list itself.
     */

    /** Python globals a pickle may import: the built-in safe globals plus {@code model.pickle.allow}. */
    public ClassPatterns pickleAllow() {
        return PickleImports.safeGlobals().plus(pickleAllowAdded);
    }

    /** Python globals always refused, even when an allow pattern covers them: built in, plus the {@code !} patterns. */
    public ClassPatterns pickleDeny() {
        return PickleImports.dangerousGlobals().plus(pickleDenyAdded);
    }
}
