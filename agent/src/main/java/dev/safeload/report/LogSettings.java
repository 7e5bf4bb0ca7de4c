package dev.safeload.report;

/**
 * Where and how violation events are written.
 *
 * @param destination a file path, {@code stdout} or {@code stderr}
 * @param maxFileSize bytes at which the file rolls over
 * @param maxHistory days of rolled files kept
 * @param rateLimit identical events written per minute; more are counted, not written
 * @param service the service every event names
 */
public record LogSettings(String destination, long maxFileSize, int maxHistory, int rateLimit,
                          ServiceIdentity service) {
}
