package io.sparkgate.run.web;

import io.sparkgate.run.RunService;
import io.swagger.v3.oas.annotations.media.Schema;
import java.util.Map;

/** A progress report, as Sparkgate's plugin sends it from the driver. */
@Schema(description = "What the application of a run's attempt reports from inside.")
public record ProgressReportBody(
    @Schema(description = "The attempt the application belongs to.", example = "1") Integer attempt,
    @Schema(
            description =
                "Where the driver's web UI listens (only its port is believed); null once it"
                    + " stopped.",
            example = "http://127.0.0.1:41234",
            pattern = "^https?://([A-Za-z0-9.-]+|\\[[0-9A-Fa-f:]+\\]):[0-9]{1,5}/?$")
        String sparkUiUrl,
    @Schema(
            description =
                "jobs, stages and tasks (total, completed, failed, active), input and output"
                    + " (rows, bytes).",
            requiredMode = Schema.RequiredMode.REQUIRED)
        Map<String, Object> progress,
    @Schema(
            description =
                "Resource usage so far: executorCpuTimeMs, executorRunTimeMs, jvmGcTimeMs,"
                    + " peakExecutionMemoryBytes, input/output/shuffle bytes, spilled bytes,"
                    + " tasks, failedTasks; final once the application ended.")
        Map<String, Object> resources) {

  RunService.ProgressReport toReport() {
    return new RunService.ProgressReport(
        attempt == null ? 0 : attempt, sparkUiUrl, progress, resources);
  }
}
