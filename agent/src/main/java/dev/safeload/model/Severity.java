package dev.safeload.model;

/** How bad a finding is; {@code HIGH} and {@code CRITICAL} findings block a load. */
public enum Severity { INFO, LOW, MEDIUM, HIGH, CRITICAL }
