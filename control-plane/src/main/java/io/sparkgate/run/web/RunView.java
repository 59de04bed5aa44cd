package io.sparkgate.run.web;

import io.sparkgate.history.HistoryLinks;
import io.sparkgate.run.Attempt;
import io.sparkgate.run.Run;
import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.web.servlet.support.ServletUriComponentsBuilder;

/** A run as the API shows it. */
@Schema(description = "A run: one request to execute a job version, with all its attempts.")
public record RunView(
    @Schema(example = "0b0c3f4e-8a4e-4a51-9d1c-3d2d7f0b9a11") UUID runId,
    @Schema(example = "demo") String job,
    @Schema(example = "1") int jobVersion,
    @Schema(
            description = "QUEUED, LAUNCHING, RUNNING, SUCCEEDED, FAILED, CANCELLED or TIMED_OUT",
            example = "RUNNING")
        String state,
    @Schema(description = "Why the run is in its state.", example = "driver running")
        String stateReason,
    @Schema(description = "Normalized parameters, defaults applied.") Map<String, Object> params,
    @Schema(description = "Effective Spark conf: the job's defaults and the run's overrides.")
        Map<String, String> sparkConf,
    Map<String, String> labels,
    String idempotencyKey,
    @Schema(description = "The failed run with the same idempotency key that this one repeats.")
        UUID previousRunId,
    @Schema(example = "anonymous") String submittedBy,
    Instant createdAt,
    @Schema(description = "When a driver first ran.") Instant startedAt,
    Instant finishedAt,
    @Schema(description = "Current or last attempt; 0 before the first launch.", example = "1")
        int attempt,
    @Schema(example = "2") int maxAttempts,
    @Schema(description = "Time limit per attempt.", example = "3600") int timeoutSeconds,
    Instant cancelRequestedAt,
    String cancelRequestedBy,
    List<AttemptView> attempts,
    @Schema(description = "What the job reported (rows, data-quality results).")
        Map<String, Object> metrics,
    @Schema(
            description =
                "The Spark progress of the current (or last) attempt, as in its attempts entry;"
                    + " absent before its application reported any.")
        Map<String, Object> progress,
    @Schema(
            description =
                "While the run is RUNNING in local or client mode: its driver's Spark UI, through"
                    + " this service (viewer role). It answers 404 once the run has ended.",
            example =
                "https://sparkgate.example.com/api/v1/runs/0b0c3f4e-8a4e-4a51-9d1c-3d2d7f0b9a11/spark-ui/")
        String sparkUiUrl) {

  static RunView of(Run run, List<Attempt> attempts, HistoryLinks.InRequest history) {
    Attempt latest = attempts.isEmpty() ? null : attempts.get(attempts.size() - 1);
    return new RunView(
        run.id(),
        run.job(),
        run.jobVersion(),
        run.state().name(),
        run.stateReason(),
        run.params(),
        run.sparkConf(),
        run.labels(),
        run.idempotencyKey(),
        run.previousRunId(),
        run.submittedBy(),
        run.createdAt(),
        run.startedAt(),
        run.finishedAt(),
        run.attempt(),
        run.maxAttempts(),
        run.timeoutSeconds(),
        run.cancelRequestedAt(),
        run.cancelRequestedBy(),
        attempts.stream().map(a -> AttemptView.of(a, history)).toList(),
        run.metrics() == null ? Map.of() : run.metrics(),
        latest == null ? null : latest.progress(),
        SparkUiProxy.showsUi(run, latest)
            ? ServletUriComponentsBuilder.fromCurrentContextPath()
                .path(SparkUiProxy.pathOf(run.id()))
                .toUriString()
            : null);
  }
}
