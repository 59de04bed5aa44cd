package io.sparkgate.catalog.web;

import io.sparkgate.catalog.Job;
import io.sparkgate.catalog.JobDefinition;
import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Instant;

/** A job with its latest definition. */
@Schema(description = "A registered job and its latest definition.")
public record JobView(
    @Schema(example = "demo") String name,
    @Schema(description = "Disabled jobs accept no new runs.") boolean enabled,
    @Schema(example = "3") int latestVersion,
    Instant createdAt,
    Instant updatedAt,
    JobDefinition definition) {

  static JobView of(Job job, JobDefinition latest) {
    return new JobView(
        job.name(), job.enabled(), job.latestVersion(), job.createdAt(), job.updatedAt(), latest);
  }
}
