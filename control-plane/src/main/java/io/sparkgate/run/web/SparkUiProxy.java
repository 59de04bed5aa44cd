package io.sparkgate.run.web;

import io.sparkgate.config.InstanceIdentity;
import io.sparkgate.error.ErrorKind;
import io.sparkgate.error.SparkgateException;
import io.sparkgate.run.Attempt;
import io.sparkgate.run.AttemptState;
import io.sparkgate.run.Run;
import io.sparkgate.run.RunRepository;
import io.sparkgate.run.RunService;
import io.sparkgate.run.RunState;
import io.sparkgate.web.UiForwarding;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.util.List;
import java.util.UUID;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/**
 * A running run's Spark UI, through the service: the driver's UI listens on a free port of the
 * loopback interface (local and client mode), where no browser reaches it, and the service passes
 * viewers' GET requests on to it ({@link UiForwarding}), with the API's authentication. The UI's
 * kill buttons are off ({@code spark.ui.killEnabled=false}), and only GET reaches it.
 *
 * <p>The driver reports where its UI listens (Sparkgate's plugin); the run service keeps that
 * address only when it is a loopback address near the port the service gave the UI. Before that,
 * once the run has ended, or on another instance than the driver's, the answer is 404.
 */
@RestController
@Tag(name = "Runs")
class SparkUiProxy {

  private final RunService runs;
  private final UiForwarding forwarding;
  private final InstanceIdentity instance;

  SparkUiProxy(RunService runs, UiForwarding forwarding, InstanceIdentity instance) {
    this.runs = runs;
    this.forwarding = forwarding;
    this.instance = instance;
  }

  /** The path of a run's Spark UI in this service, with its trailing slash. */
  static String pathOf(UUID runId) {
    return "/api/v1/runs/" + runId + "/spark-ui/";
  }

  /** Whether the run has a UI to show now: running, and its current attempt reported one. */
  static boolean showsUi(Run run, Attempt latest) {
    return run.state() == RunState.RUNNING
        && latest != null
        && latest.attempt() == run.attempt()
        && latest.state() == AttemptState.RUNNING
        && latest.sparkUiUrl() != null;
  }

  @GetMapping("/api/v1/runs/{runId}/spark-ui/**")
  @Operation(
      summary = "The running run's Spark UI",
      description =
          "Spark's own web UI of the run's driver (jobs, stages, storage, environment, executors,"
              + " SQL), passed through this service while the run is RUNNING in local or client"
              + " mode. Every page's links stay under this path. Answers 404 (problem document)"
              + " before the driver has reported its UI and after the run has ended.")
  @ApiResponse(responseCode = "200", description = "A page or asset of the Spark UI")
  @ApiResponse(responseCode = "404", description = "No such run, or it has no Spark UI now")
  @ApiResponse(responseCode = "502", description = "The driver's UI did not answer")
  public void proxy(
      @PathVariable UUID runId, HttpServletRequest request, HttpServletResponse response)
      throws IOException {
    URI ui = uiOf(runs.getWithAttempts(runId));
    String context = request.getContextPath() + pathOf(runId);
    try {
      forwarding.forward(request, response, ui, context.substring(0, context.length() - 1));
    } catch (UiForwarding.UnreachableException e) {
      // The run may have ended in between: then it has no UI, which is not a failure.
      uiOf(runs.getWithAttempts(runId));
      throw new SparkgateException(
          ErrorKind.SPARK_UI_UNREACHABLE,
          "The Spark UI of run " + runId + " did not answer: " + e.getMessage());
    }
  }

  private URI uiOf(RunRepository.WithAttempts found) {
    Run run = found.run();
    List<Attempt> attempts = found.attempts();
    Attempt latest = attempts.isEmpty() ? null : attempts.get(attempts.size() - 1);
    if (!showsUi(run, latest)) {
      throw new SparkgateException(
          ErrorKind.SPARK_UI_NOT_AVAILABLE,
          "Run "
              + run.id()
              + " has no Spark UI now: "
              + (run.state().isTerminal()
                  ? "it has ended (see its attempts' historyUrl)."
                  : "its driver has not reported one yet."));
    }
    // The run service keeps only a loopback address near the port it gave the UI; loopback is
    // the launching instance's own, so only that instance can pass requests on.
    if (!instance.id().equals(latest.instanceId())) {
      throw new SparkgateException(
          ErrorKind.SPARK_UI_NOT_AVAILABLE,
          "The Spark UI of run "
              + run.id()
              + " is served by the instance that runs its driver, "
              + latest.instanceId()
              + "; ask that one.");
    }
    return URI.create(latest.sparkUiUrl());
  }
}
