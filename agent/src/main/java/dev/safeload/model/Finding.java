package dev.safeload.model;

import java.util.Objects;

/**
 * One thing a format check found in a model file.
 *
 * @param rule a stable id such as {@code pickle.import} or {@code onnx.external-data.escape}
 * @param severity how bad it is
 * @param location where it is: an archive entry and byte offset, e.g. {@code archive/data.pkl@123}
 * @param message what was found, for people
 */
public record Finding(String rule, Severity severity, String location, String message) {

    // equals and hashCode written out with the meaning a record generates: the scanner puts findings
    // in a set, and the generated ones bootstrap java.lang.runtime.ObjectMethods (about 90
    // method-handle classes) inside the first model load, usually on the host's start.
    @Override
    public boolean equals(Object o) {
        return o instanceof Finding f && Objects.equals(rule, f.rule) && severity == f.severity
                && Objects.equals(location, f.location) && Objects.equals(message, f.message);
    }

    @Override
    public int hashCode() {
        return Objects.hash(rule, severity, location, message);
    }
}
