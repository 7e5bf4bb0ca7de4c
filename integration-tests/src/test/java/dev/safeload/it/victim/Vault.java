package dev.safeload.it.victim;

/**
 * An interface the policy does not allow, like {@link Secret}, loaded by nothing else: a test can
 * read a proxy of Secret before the agent is attached and still see whether this one is ever loaded.
 */
public interface Vault {
    String open();
}
