package io.sparkgate.catalog;

import io.swagger.v3.oas.annotations.media.Schema;

/** How often a run may be launched, and how long to wait between attempts. */
@Schema(description = "Retry policy: attempts that end FAILED or LOST are retried.")
public record RetryPolicy(
    @Schema(
            description = "Launches in all, including the first.",
            example = "2",
            minimum = "1",
            maximum = "10")
        Integer maxAttempts,
    @Schema(
            description = "Wait before the next attempt.",
            example = "30",
            minimum = "0",
            maximum = "86400")
        Integer backoffSeconds) {

  public static final RetryPolicy NONE = new RetryPolicy(1, 0);

  public int maxAttemptsOrDefault() {
    return maxAttempts == null ? 1 : maxAttempts;
  }

  public int backoffSecondsOrDefault() {
    return backoffSeconds == null ? 0 : backoffSeconds;
  }
}
