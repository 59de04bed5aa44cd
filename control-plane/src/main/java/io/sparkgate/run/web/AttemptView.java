package io.sparkgate.run.web;

import io.sparkgate.run.Attempt;
import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Instant;

/** One launch of a run as the API shows it. */
@Schema(description = "One launch of a run.")
public record AttemptView(
    @Schema(example = "1") int attempt,
    @Schema(
            description = "LAUNCHING, RUNNING, SUCCEEDED, FAILED, KILLED, TIMED_OUT or LOST",
            example = "SUCCEEDED")
        String state,
    @Schema(description = "Spark's application id.", example = "local-1700000000000")
        String sparkAppId,
    Instant startedAt,
    Instant finishedAt,
    @Schema(description = "Exit code of the driver process, when observed.", example = "0")
        Integer exitCode,
    @Schema(description = "Why the attempt failed, from the driver log.") String error,
    @Schema(description = "The control-plane instance that launched it.") String instance,
    @Schema(
            description = "The standalone master's driver id, in cluster deploy mode.",
            example = "driver-20240315030000-0001")
        String driverId) {

  static AttemptView of(Attempt a) {
    return new AttemptView(
        a.attempt(),
        a.state().name(),
        a.sparkAppId(),
        a.startedAt(),
        a.finishedAt(),
        a.exitCode(),
        a.error(),
        a.instanceId(),
        a.driverId());
  }
}
