package io.sparkgate.run.web;

import io.sparkgate.catalog.JobDefinitionValidator;
import io.sparkgate.run.RunService;
import io.sparkgate.run.SubmitRequest;
import io.swagger.v3.oas.annotations.media.Schema;
import java.util.Map;

/** The body of {@code POST /api/v1/runs}. */
@Schema(
    description = "A request to run a registered job.",
    example =
        """
        {"job": "demo", "params": {"date": "2024-03-15", "rows": 1000},
         "sparkConf": {"spark.sql.shuffle.partitions": "4"},
         "labels": {"team": "markets", "dag": "market_data_daily"}}
        """)
public record SubmitRunBody(
    @Schema(
            description = "Name of a registered, enabled job.",
            example = "demo",
            pattern = JobDefinitionValidator.JOB_NAME_PATTERN,
            requiredMode = Schema.RequiredMode.REQUIRED)
        String job,
    @Schema(description = "Parameter values by name; typed and validated against the job.")
        Map<String, Object> params,
    @Schema(
            description =
                "Spark conf overrides: only keys the job's allowedSparkConf admits and the conf"
                    + " policy does not refuse (never artifacts, class paths, JVM options or class"
                    + " names).")
        Map<String, String> sparkConf,
    @Schema(
            description = "Free-form labels for finding runs later (at most 32).",
            maxProperties = RunService.MAX_LABELS)
        Map<String, String> labels,
    @Schema(
            description = "A shorter time limit than the job's, in seconds.",
            example = "600",
            minimum = "1")
        Integer timeoutSeconds) {

  SubmitRequest toRequest() {
    return new SubmitRequest(job, params, sparkConf, labels, timeoutSeconds);
  }
}
