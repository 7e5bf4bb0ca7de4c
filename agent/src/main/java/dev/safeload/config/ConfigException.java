package dev.safeload.config;

/** An option or policy entry that is not valid; the message names where it came from. */
public final class ConfigException extends Exception {

    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
