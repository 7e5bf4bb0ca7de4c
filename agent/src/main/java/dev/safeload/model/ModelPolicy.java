package dev.safeload.model;

import dev.safeload.policy.ClassPatterns;
import dev.safeload.policy.SerialPolicy;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * What the model gate accepts.
 *
 * @param allowFormats formats that may load at all ({@code model.allowFormats})
 * @param pickleAllow Python globals (module.qualname) a pickle may import, JDK pattern style;
 *     the built-in safe globals plus {@code model.pickle.allow}
 * @param pickleDeny Python globals always refused, even when an allow pattern covers them
 * @param trustedDirs folders whose files are not checked ({@code model.trustedDirs})
 * @param sha256Pins digests of files allowed without checks ({@code model.sha256})
 * @param serial the Java serialization policy, for {@code AC ED 00 05} streams
 */
public record ModelPolicy(Set<String> allowFormats, ClassPatterns pickleAllow, ClassPatterns pickleDeny,
                          List<Path> trustedDirs, Set<String> sha256Pins, SerialPolicy serial) {
}
