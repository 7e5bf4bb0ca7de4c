package dev.safeload.serial;

/**
 * Throws a checked exception from a method that cannot declare it.
 *
 * <p>An {@code ObjectInputFilter} can only say REJECTED, and the JDK then throws an
 * {@code InvalidClassException} that names neither the class nor the rule. Throwing our own
 * {@code InvalidClassException} from the filter gives the host the same exception type with a
 * useful message: {@code filterCheck} only intercepts {@code RuntimeException}s, and every
 * caller up to {@code readObject} declares {@code IOException}.
 */
final class Sneaky {

    private Sneaky() {
    }

    static RuntimeException rethrow(Throwable t) {
        return Sneaky.<RuntimeException>doThrow(t);
    }

    @SuppressWarnings("unchecked")
    private static <T extends Throwable> T doThrow(Throwable t) throws T {
        throw (T) t;
    }
}
