package dev.safeload.it.victim;

/** An interface the policy does not allow, for proxy descriptors. */
public interface Secret {
    String reveal();
}
