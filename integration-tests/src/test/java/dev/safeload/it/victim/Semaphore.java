package dev.safeload.it.victim;

/**
 * An enum whose name has as many letters as {@link Detonator}'s: a stream of one of its
 * constants, with the name swapped, flags {@code Detonator} as an enum.
 */
public enum Semaphore {
    GREEN
}
