package io.sparkgate.catalog.web;

import io.sparkgate.catalog.JobDefinition;
import io.sparkgate.catalog.JobVersion;
import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Instant;

/** One immutable version of a job. */
@Schema(description = "One immutable version of a job's definition.")
public record JobVersionView(
    @Schema(example = "demo") String name,
    @Schema(example = "2") int version,
    Instant createdAt,
    @Schema(example = "anonymous") String createdBy,
    @Schema(description = "SHA-256 of the definition's canonical JSON.") String contentHash,
    JobDefinition definition) {

  static JobVersionView of(JobVersion v) {
    return new JobVersionView(
        v.jobName(), v.version(), v.createdAt(), v.createdBy(), v.contentHash(), v.definition());
  }
}
