package io.sparkgate.run.web;

import io.sparkgate.history.HistoryLinks;
import io.sparkgate.run.Attempt;
import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Instant;
import java.util.Map;

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
        String driverId,
    @Schema(
            description =
                "The application's progress as its driver last reported it: jobs, stages and"
                    + " tasks (total, completed, failed, active; stages also skipped), input and"
                    + " output rows and bytes.")
        Map<String, Object> progress,
    @Schema(
            description =
                "What the application's tasks used: executorCpuTimeMs, executorRunTimeMs,"
                    + " jvmGcTimeMs, peakExecutionMemoryBytes, inputBytes, outputBytes,"
                    + " shuffleReadBytes, shuffleWriteBytes, memorySpilledBytes,"
                    + " diskSpilledBytes, tasks, failedTasks; final is true once the application"
                    + " ended and reported its totals.")
        Map<String, Object> resources,
    @Schema(
            description =
                "Once the attempt has ended: its application in the Spark History Server, from"
                    + " its event log.",
            example =
                "https://sparkgate.example.com/api/v1/spark-history/history/local-1700000000000/")
        String historyUrl) {

  static AttemptView of(Attempt a, HistoryLinks.InRequest history) {
    return new AttemptView(
        a.attempt(),
        a.state().name(),
        a.sparkAppId(),
        a.startedAt(),
        a.finishedAt(),
        a.exitCode(),
        a.error(),
        a.instanceId(),
        a.driverId(),
        a.progress(),
        a.resources(),
        history.of(a.sparkAppId(), a.eventLogDir(), a.state().isTerminal()));
  }
}
