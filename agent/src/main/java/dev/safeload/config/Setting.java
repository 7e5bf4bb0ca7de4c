package dev.safeload.config;

/**
 * One configured value and where it came from, so an error can name the file, line and key.
 *
 * @param key the key
 * @param value the raw text
 * @param origin where it was set, e.g. {@code /etc/safeload.properties line 4} or
 *     {@code agent option}
 */
public record Setting(ConfigKey key, String value, String origin) {

    /** An error message that names the origin and the key. */
    public String problem(String what) {
        return origin + ", key " + key.key() + ": " + what;
    }
}
