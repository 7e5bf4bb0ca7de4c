package dev.safeload.model;

/**
 * One thing a format check found in a model file.
 *
 * @param rule a stable id such as {@code pickle.import} or {@code onnx.external-data.escape}
 * @param severity how bad it is
 * @param location where it is: an archive entry and byte offset, e.g. {@code archive/data.pkl@123}
 * @param message what was found, for people
 */
public record Finding(String rule, Severity severity, String location, String message) {
}
