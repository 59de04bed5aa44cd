package io.sparkgate.catalog;

import java.time.Instant;

/** One immutable version of a job's definition. */
public record JobVersion(
    String jobName,
    int version,
    JobDefinition definition,
    String contentHash,
    Instant createdAt,
    String createdBy) {}
