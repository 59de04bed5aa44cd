package io.sparkgate.run.web;

import io.sparkgate.error.ErrorKind;
import io.sparkgate.error.SparkgateException;
import io.sparkgate.run.Attempt;
import io.sparkgate.run.AttemptState;
import io.sparkgate.run.Run;
import io.sparkgate.run.RunRepository;
import io.sparkgate.run.RunService;
import io.sparkgate.run.RunState;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/**
 * A running run's Spark UI, through the service: the driver's UI listens on a free port of the
 * loopback interface (local and client mode), where no browser reaches it, and the service passes
 * viewers' GET requests on to it, with the API's authentication. Spark writes every link of its
 * pages under the path it is told in {@code X-Forwarded-Context} (as it does behind Apache Knox),
 * so the pages need no rewriting. The API token is not passed on; the UI's kill buttons are off
 * ({@code spark.ui.killEnabled=false}), and only GET reaches it.
 *
 * <p>The driver reports where its UI listens (Sparkgate's plugin); once the run has ended, or for
 * an address that is not this host's loopback, the answer is 404.
 */
@RestController
@Tag(name = "Runs")
class SparkUiProxy {

  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

  /** What is passed back of the UI's answer, besides its status and body. */
  private static final List<String> RESPONSE_HEADERS =
      List.of("Content-Type", "Content-Encoding", "Cache-Control", "Last-Modified", "ETag");

  private final RunService runs;
  private final HttpClient http =
      HttpClient.newBuilder()
          .connectTimeout(CONNECT_TIMEOUT)
          .followRedirects(HttpClient.Redirect.NEVER)
          .version(HttpClient.Version.HTTP_1_1)
          .build();

  SparkUiProxy(RunService runs) {
    this.runs = runs;
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
    RunRepository.WithAttempts found = runs.getWithAttempts(runId);
    URI ui = uiOf(found);
    String prefix = request.getContextPath() + pathOf(runId);
    String context = prefix.substring(0, prefix.length() - 1);
    // The raw path as the client sent it (still encoded); the firewall has refused '..' and
    // encoded slashes, so it cannot climb out of the UI's root.
    String rest = request.getRequestURI().substring(prefix.length() - 1);
    String query = request.getQueryString();
    URI target =
        URI.create(
            ui.getScheme()
                + "://"
                + ui.getRawAuthority()
                + rest
                + (query == null ? "" : "?" + query));
    HttpRequest forwarded =
        HttpRequest.newBuilder(target)
            .timeout(REQUEST_TIMEOUT)
            .header("X-Forwarded-Context", context)
            .header("Accept", headerOr(request, "Accept", "*/*"))
            .header("Accept-Encoding", "identity")
            .GET()
            .build();
    HttpResponse<InputStream> answer;
    try {
      answer = http.send(forwarded, HttpResponse.BodyHandlers.ofInputStream());
    } catch (IOException e) {
      // The run may have ended in between: then it has no UI, which is not a failure.
      uiOf(runs.getWithAttempts(runId));
      throw new SparkgateException(
          ErrorKind.SPARK_UI_UNREACHABLE,
          "The Spark UI of run " + runId + " did not answer: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SparkgateException(ErrorKind.SPARK_UI_UNREACHABLE, "Interrupted.");
    }
    response.setStatus(answer.statusCode());
    for (String name : RESPONSE_HEADERS) {
      answer.headers().firstValue(name).ifPresent(value -> response.setHeader(name, value));
    }
    answer
        .headers()
        .firstValue("Location")
        .ifPresent(
            location -> response.setHeader("Location", localLocation(location, ui, context)));
    try (InputStream body = answer.body()) {
      body.transferTo(response.getOutputStream());
    }
  }

  /**
   * A redirect of the UI, as the client must follow it: Spark makes its redirects absolute with the
   * host it was asked on (the driver's), and some of them (its root's, to /jobs/) ignore the
   * forwarded context. So the driver's origin goes, and a path outside the context is put under it.
   */
  static String localLocation(String location, URI ui, String context) {
    String origin = ui.getScheme() + "://" + ui.getRawAuthority();
    String path = location.startsWith(origin) ? location.substring(origin.length()) : location;
    if (path.startsWith("/") && !path.startsWith(context + "/")) {
      return context + path;
    }
    return path;
  }

  private static URI uiOf(RunRepository.WithAttempts found) {
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
    URI ui = URI.create(latest.sparkUiUrl());
    if (!isLoopback(ui.getHost())) {
      throw new SparkgateException(
          ErrorKind.SPARK_UI_NOT_AVAILABLE,
          "The Spark UI of run "
              + run.id()
              + " listens on "
              + ui.getHost()
              + ", which this service does not pass requests to (only its own loopback).");
    }
    return ui;
  }

  /**
   * Only the loopback interface: a driver reports its own address, and the service must not become
   * a way for a job's code to aim viewers' requests at another host.
   */
  static boolean isLoopback(String host) {
    if (host == null) {
      return false;
    }
    try {
      for (InetAddress address : InetAddress.getAllByName(host)) {
        if (!address.isLoopbackAddress()) {
          return false;
        }
      }
      return true;
    } catch (UnknownHostException e) {
      return false;
    }
  }

  private static String headerOr(HttpServletRequest request, String name, String fallback) {
    String value = request.getHeader(name);
    return value == null || value.isBlank() ? fallback : value;
  }
}
