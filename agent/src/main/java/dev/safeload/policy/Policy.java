package dev.safeload.policy;

/**
 * One immutable snapshot of everything the agent enforces. A new policy replaces the old one
 * with a single volatile write, so a check sees either the old snapshot or the new one.
 *
 * @param mode what to do with a failed check
 * @param serial the Java serialization allowlist and limits
 * @param source where the policy came from, for logs and errors
 * @param digest SHA-256 of the effective settings, to tell policies apart in logs
 */
public record Policy(Mode mode, SerialPolicy serial, String source, String digest) {
}
