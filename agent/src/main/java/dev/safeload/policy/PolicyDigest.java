package dev.safeload.policy;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.function.Supplier;

/**
 * The SHA-256 of a policy's effective settings, computed the first time it is asked for: the
 * JDK's security providers cost about 20 ms to start, and premain runs before the host's main.
 */
public final class PolicyDigest {

    private final Supplier<String> canonical;
    private volatile String hex;

    /**
     * @param canonical makes the effective settings, one {@code key=value} per line in a fixed
     *     order, when the digest is first asked for (the start event, two seconds after premain);
     *     the same text whenever it is called
     */
    public PolicyDigest(Supplier<String> canonical) {
        this.canonical = canonical;
    }

    /** The digest as 64 lowercase hex digits. */
    public String hex() {
        String h = hex;
        if (h == null) {
            try {
                h = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                        .digest(canonical.get().getBytes(StandardCharsets.UTF_8)));
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("the JDK has no SHA-256", e);
            }
            hex = h;
        }
        return h;
    }

    @Override
    public String toString() {
        return hex();
    }
}
