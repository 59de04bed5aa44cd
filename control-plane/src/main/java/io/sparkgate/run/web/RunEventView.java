package io.sparkgate.run.web;

import io.sparkgate.run.RunEvent;
import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Instant;

/** One state change of a run. */
@Schema(description = "One recorded state change.")
public record RunEventView(
    @Schema(
            description =
                "The event's id: increasing within a run, and the id of the event in a stream.",
            example = "42")
        long id,
    Instant at,
    @Schema(description = "Null for the creation of the run.", example = "LAUNCHING") String from,
    @Schema(example = "RUNNING") String to,
    @Schema(example = "driver running as local-1700000000000") String reason,
    @Schema(description = "Token name, or system.", example = "system") String actor,
    @Schema(description = "The instance that made the change.") String instance,
    @Schema(example = "1") int attempt) {

  static RunEventView of(RunEvent e) {
    return new RunEventView(
        e.id(),
        e.at(),
        e.from() == null ? null : e.from().name(),
        e.to().name(),
        e.reason(),
        e.actor(),
        e.instanceId(),
        e.attempt());
  }
}
