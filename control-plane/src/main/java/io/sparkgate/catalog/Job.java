package io.sparkgate.catalog;

import java.time.Instant;

/** A registered job name, whether it may run, and its newest version. */
public record Job(
    String name, boolean enabled, int latestVersion, Instant createdAt, Instant updatedAt) {}
