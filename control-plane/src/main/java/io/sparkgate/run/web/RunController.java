package io.sparkgate.run.web;

import io.sparkgate.catalog.JobDefinitionValidator;
import io.sparkgate.error.ErrorKind;
import io.sparkgate.error.SparkgateException;
import io.sparkgate.history.HistoryLinks;
import io.sparkgate.run.RunFilter;
import io.sparkgate.run.RunLogs;
import io.sparkgate.run.RunRepository;
import io.sparkgate.run.RunService;
import io.sparkgate.run.RunService.Submission;
import io.sparkgate.run.RunState;
import io.sparkgate.web.Actors;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.headers.Header;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.ResponseBodyEmitter;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/** Submitting, finding, cancelling and inspecting runs. */
@RestController
@RequestMapping(path = "/api/v1/runs", produces = "application/json")
@Tag(name = "Runs", description = "Submit, find, cancel and inspect runs.")
@ApiResponse(responseCode = "400", description = "Malformed request")
public class RunController {

  private static final String STATE =
      "(QUEUED|LAUNCHING|RUNNING|SUCCEEDED|FAILED|CANCELLED|TIMED_OUT)";
  private static final String STATES_PATTERN = "^" + STATE + "(," + STATE + ")*$";

  /** A label filter: a label key, '=', any value. */
  private static final String LABEL_FILTER_PATTERN =
      "^" + RunService.LABEL_KEY_CHARS + "=[\\s\\S]*$";

  static final String IDEMPOTENCY_KEY = "Idempotency-Key";
  static final String REPLAYED = "Idempotent-Replayed";

  private final RunService runs;
  private final RunLogs logs;
  private final Actors actors;
  private final RunEventStreams streams;
  private final HistoryLinks history;
  private final RunLogFollows logFollows;

  public RunController(
      RunService runs,
      RunLogs logs,
      Actors actors,
      RunEventStreams streams,
      HistoryLinks history,
      RunLogFollows logFollows) {
    this.logFollows = logFollows;
    this.runs = runs;
    this.logs = logs;
    this.actors = actors;
    this.streams = streams;
    this.history = history;
  }

  @PostMapping(consumes = "application/json")
  @Operation(
      summary = "Submit a run",
      description =
          "Queues a run of the job's latest version. With an Idempotency-Key, a retried submit"
              + " returns the existing run (200, Idempotent-Replayed: true) while it is live or"
              + " succeeded, creates a new run with previousRunId after it failed, was cancelled"
              + " or timed out, and is refused (422) if the request differs.")
  @ApiResponse(
      responseCode = "201",
      description = "A new run was queued",
      headers = @Header(name = "Location", description = "The run's URL"))
  @ApiResponse(
      responseCode = "200",
      description = "The key returned an existing run; nothing was launched",
      headers = @Header(name = REPLAYED, description = "true", schema = @Schema(type = "string")))
  @ApiResponse(
      responseCode = "422",
      description =
          "Unknown or disabled job, invalid parameters, disallowed Spark conf (in the request, or"
              + " in a job version registered before the conf policy refused it), or the key was"
              + " used for a different request")
  @ApiResponse(responseCode = "413", description = "Body too large")
  public ResponseEntity<RunView> submit(
      @RequestBody SubmitRunBody body,
      @Parameter(
              description =
                  "Makes the submit safe to retry: 1 to 255 printable ASCII characters, no"
                      + " leading or trailing space.",
              example = "market_data_daily/scheduled__2024-03-15/curate/-1",
              schema = @Schema(pattern = RunService.IDEMPOTENCY_KEY_PATTERN, maxLength = 255))
          @RequestHeader(name = IDEMPOTENCY_KEY, required = false)
          String idempotencyKey) {
    Submission submission = runs.submit(body.toRequest(), idempotencyKey, actors.current());
    RunView view =
        RunView.of(submission.run(), runs.attempts(submission.run().id()), history.inRequest());
    if (submission.replayed()) {
      return ResponseEntity.ok().header(REPLAYED, "true").body(view);
    }
    return ResponseEntity.created(URI.create("/api/v1/runs/" + view.runId())).body(view);
  }

  @GetMapping("/{runId}")
  @Operation(summary = "Get a run with its attempts")
  @ApiResponse(responseCode = "200", description = "The run")
  @ApiResponse(responseCode = "404", description = "No such run")
  public RunView get(@PathVariable UUID runId) {
    RunRepository.WithAttempts found = runs.getWithAttempts(runId);
    return RunView.of(found.run(), found.attempts(), history.inRequest());
  }

  @GetMapping
  @Operation(
      summary = "List runs, newest first",
      description = "Keyset pagination: pass the nextCursor of a page as cursor to get the next.")
  @ApiResponse(responseCode = "200", description = "A page of runs")
  public RunPageView list(
      HttpServletRequest request,
      @Parameter(
              description = "Only runs of this job.",
              example = "demo",
              schema = @Schema(pattern = JobDefinitionValidator.JOB_NAME_PATTERN))
          @RequestParam(required = false)
          String job,
      @Parameter(
              description = "Only runs in these states (comma-separated).",
              example = "RUNNING,QUEUED",
              schema = @Schema(pattern = STATES_PATTERN))
          @RequestParam(required = false)
          String state,
      @Parameter(
              description = "Only runs with this label, as key=value; repeat to require several.",
              example = "team=markets",
              array =
                  @io.swagger.v3.oas.annotations.media.ArraySchema(
                      maxItems = RunService.MAX_LABELS,
                      schema = @Schema(pattern = LABEL_FILTER_PATTERN)))
          @RequestParam(required = false)
          List<String> label,
      @Parameter(
              description = "Page size (default 50, at most 500).",
              example = "50",
              schema = @Schema(type = "integer", format = "int32", minimum = "1", maximum = "500"))
          @RequestParam(required = false)
          Integer limit,
      @Parameter(
              description = "The nextCursor of the previous page (opaque).",
              schema = @Schema(pattern = "^[A-Za-z0-9_-]+$"))
          @RequestParam(required = false)
          String cursor) {
    rejectEmpty(request, "job", "state", "limit", "cursor");
    if (job != null && !JobDefinitionValidator.JOB_NAME.matcher(job).matches()) {
      throw new SparkgateException(ErrorKind.INVALID_REQUEST, "job is not a job name.");
    }
    // The label parameter above is there for its OpenAPI description: Spring's binding splits a
    // single value at commas, which a label value may hold, so the raw values are read instead.
    RunService.Page page =
        runs.list(
            new RunFilter(job, states(state), labels(request.getParameterValues("label"))),
            cursor,
            limit);
    HistoryLinks.InRequest links = history.inRequest();
    List<RunView> views =
        page.runs().stream().map(r -> RunView.of(r, page.attemptsOf(r), links)).toList();
    return new RunPageView(views, page.next() == null ? null : page.next().encode());
  }

  @PostMapping("/{runId}/cancel")
  @Operation(
      summary = "Cancel a run",
      description =
          "A queued run is cancelled at once; a launching or running one is stopped by the"
              + " instance that owns it and then ends CANCELLED.")
  @ApiResponse(responseCode = "202", description = "The run is cancelled or being stopped")
  @ApiResponse(responseCode = "409", description = "The run has already ended")
  @ApiResponse(responseCode = "404", description = "No such run")
  public ResponseEntity<RunView> cancel(@PathVariable UUID runId) {
    var run = runs.cancel(runId, actors.current());
    return ResponseEntity.accepted()
        .body(RunView.of(run, runs.attempts(runId), history.inRequest()));
  }

  @PostMapping(path = "/{runId}/metrics", consumes = "application/json")
  @Operation(
      summary = "Report metrics from the run's driver",
      description =
          "Called by the job itself (see RunMetrics in spark-jobs) with the secret Sparkgate gave"
              + " the run's current attempt (the driver's environment variable"
              + " SPARK_SPARKGATE_METRICS_TOKEN) as bearer token. The JSON object's top-level keys"
              + " are merged into the run's metrics.")
  @ApiResponse(responseCode = "204", description = "Merged")
  @ApiResponse(responseCode = "404", description = "No such run")
  @ApiResponse(responseCode = "401", description = "No token")
  @ApiResponse(responseCode = "403", description = "Not this run's token")
  @ApiResponse(responseCode = "409", description = "The run is not running")
  @ApiResponse(responseCode = "413", description = "More than 64 KiB of metrics")
  public ResponseEntity<Void> reportMetrics(
      @PathVariable UUID runId,
      @RequestHeader(name = "Authorization", required = false) String authorization,
      @RequestBody Map<String, Object> metrics) {
    runs.reportMetrics(runId, driverToken(authorization), metrics);
    return ResponseEntity.noContent().build();
  }

  @PostMapping(path = "/{runId}/progress", consumes = "application/json")
  @Operation(
      summary = "Report progress from inside the run's application",
      description =
          "Called by Sparkgate's plugin, which every launch adds to the application"
              + " (io.sparkgate.listener.SparkgatePlugin), with the secret of the run's current"
              + " attempt as bearer token, as metrics are: the application's jobs, stages and"
              + " tasks, rows and bytes, its resource usage and where its driver's web UI"
              + " listens. Each report replaces the last; after one whose resources say final,"
              + " no other is taken.")
  @ApiResponse(responseCode = "204", description = "Recorded")
  @ApiResponse(responseCode = "404", description = "No such run")
  @ApiResponse(responseCode = "401", description = "No token")
  @ApiResponse(responseCode = "403", description = "Not this run's token")
  @ApiResponse(
      responseCode = "409",
      description = "The attempt is not running, or made its final report")
  @ApiResponse(responseCode = "413", description = "More than 64 KiB")
  public ResponseEntity<Void> reportProgress(
      @PathVariable UUID runId,
      @RequestHeader(name = "Authorization", required = false) String authorization,
      @RequestBody ProgressReportBody body) {
    runs.reportProgress(runId, driverToken(authorization), body.toReport());
    return ResponseEntity.noContent().build();
  }

  /** The bearer token of a driver's report: its attempt's secret, not an API token. */
  private static String driverToken(String authorization) {
    return authorization != null && authorization.startsWith("Bearer ")
        ? authorization.substring("Bearer ".length()).strip()
        : null;
  }

  @GetMapping("/{runId}/events")
  @Operation(summary = "The run's state history, oldest first")
  @ApiResponse(responseCode = "200", description = "The events")
  @ApiResponse(responseCode = "404", description = "No such run")
  public List<RunEventView> events(@PathVariable UUID runId) {
    return runs.events(runId).stream().map(RunEventView::of).toList();
  }

  @GetMapping(path = "/{runId}/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
  @Operation(
      summary = "Follow the run's state changes as Server-Sent Events",
      description =
          "Asked with Accept: text/event-stream. Sends the run's recorded state changes (after"
              + " Last-Event-ID, when given), then each new one as it is recorded by any instance,"
              + " and ends after the terminal state. Each event is named state, its id is the"
              + " recorded event's id and its data is the event as in the JSON list. Idle streams"
              + " get a comment every sparkgate.api.streams.keep-alive; a stream ends after"
              + " sparkgate.api.streams.timeout, and a client resumes with Last-Event-ID.")
  @ApiResponse(responseCode = "200", description = "The stream")
  @ApiResponse(responseCode = "404", description = "No such run")
  @ApiResponse(responseCode = "429", description = "The caller or the instance has too many open")
  public SseEmitter followEvents(
      @PathVariable UUID runId,
      @Parameter(
              description = "The id of the last event the client saw; only later ones are sent.",
              schema = @Schema(type = "integer", format = "int64", minimum = "0"))
          @RequestHeader(name = "Last-Event-ID", required = false)
          String lastEventId) {
    long after = 0;
    if (lastEventId != null && !lastEventId.isBlank()) {
      try {
        after = Long.parseLong(lastEventId.strip());
      } catch (NumberFormatException e) {
        after = -1;
      }
      if (after < 0) {
        throw new SparkgateException(
            ErrorKind.INVALID_REQUEST,
            "Last-Event-ID must be the id of an event of this stream (a whole number).");
      }
    }
    return streams.open(runId, after, actors.current());
  }

  @GetMapping("/{runId}/log")
  @Operation(
      summary = "A slice of an attempt's driver log",
      description =
          "Pages by byte offset (offset, limit) or returns the last bytes (tail). Keep asking from"
              + " nextOffset until complete is true and nextOffset equals size.")
  @ApiResponse(responseCode = "200", description = "The slice")
  @ApiResponse(responseCode = "404", description = "No such run or attempt, or no log available")
  public LogView log(
      HttpServletRequest request,
      @PathVariable UUID runId,
      @Parameter(
              description = "Attempt number (default: the latest).",
              schema = @Schema(type = "integer", format = "int32", minimum = "1"))
          @RequestParam(required = false)
          Integer attempt,
      @Parameter(
              description = "First byte to return.",
              example = "0",
              schema = @Schema(type = "integer", format = "int64", minimum = "0"))
          @RequestParam(required = false)
          Long offset,
      @Parameter(
              description = "Most bytes to return (default and maximum 1 MiB).",
              schema = @Schema(type = "integer", format = "int32", minimum = "1"))
          @RequestParam(required = false)
          Integer limit,
      @Parameter(
              description = "Return the last this many bytes instead.",
              example = "4096",
              schema = @Schema(type = "integer", format = "int32", minimum = "1"))
          @RequestParam(required = false)
          Integer tail) {
    rejectEmpty(request, "attempt", "offset", "limit", "tail");
    RunLogs.Slice slice = logs.read(runId, attempt, offset, limit, tail);
    return new LogView(
        slice.attempt(),
        slice.offset(),
        slice.offset() + slice.data().length,
        slice.size(),
        slice.complete() && slice.offset() + slice.data().length >= slice.size(),
        slice.droppedBytes(),
        new String(slice.data(), StandardCharsets.UTF_8));
  }

  // Its own operation for Spring, but not for the OpenAPI document, which has one operation per
  // path and method: the plain-text log operation below describes follow=true.
  @GetMapping(path = "/{runId}/log", params = "follow=true", produces = "text/plain")
  @Operation(hidden = true)
  public ResponseEntity<ResponseBodyEmitter> followLog(
      HttpServletRequest request,
      @PathVariable UUID runId,
      @RequestParam(required = false) Integer attempt,
      @RequestParam(required = false) Long offset) {
    rejectEmpty(request, "attempt", "offset");
    if ((attempt != null && attempt < 1) || (offset != null && offset < 0)) {
      throw new SparkgateException(
          ErrorKind.INVALID_REQUEST, "attempt must be at least 1 and offset at least 0.");
    }
    ResponseBodyEmitter emitter =
        logFollows.open(runId, attempt, offset == null ? 0 : offset, actors.current());
    return ResponseEntity.ok()
        .contentType(new MediaType("text", "plain", StandardCharsets.UTF_8))
        // Proxies pass each chunk on as it comes instead of buffering the stream.
        .header("X-Accel-Buffering", "no")
        .header("Cache-Control", "no-store")
        .body(emitter);
  }

  @GetMapping(path = "/{runId}/log", produces = "text/plain")
  @Operation(
      summary = "A slice of an attempt's driver log, as plain text, or the log followed",
      description =
          "The same slice as the JSON form, as raw bytes; the headers Sparkgate-Log-Offset,"
              + " Sparkgate-Log-Next-Offset, Sparkgate-Log-Size, Sparkgate-Log-Complete and"
              + " Sparkgate-Log-Dropped-Bytes say where it lies. With follow=true (and optionally"
              + " attempt and offset) the log is streamed instead, as the driver writes it: the"
              + " given attempt's, or the latest attempt's and every retry's after it, until the"
              + " run has ended and its log is complete. Asked while the run is queued, the stream"
              + " waits for the first attempt. Lines of Sparkgate's own start with [sparkgate]:"
              + " which attempt follows, where a retry begins, that the log passed its cap (its"
              + " tail then comes when the attempt ends), and the end. Follow streams count"
              + " against the caller's and the instance's stream limits (429) and end after"
              + " sparkgate.api.streams.timeout.")
  @ApiResponse(responseCode = "200", description = "The slice")
  public ResponseEntity<byte[]> logText(
      HttpServletRequest request,
      @PathVariable UUID runId,
      @RequestParam(required = false) Integer attempt,
      @RequestParam(required = false) Long offset,
      @RequestParam(required = false) Integer limit,
      @RequestParam(required = false) Integer tail) {
    rejectEmpty(request, "attempt", "offset", "limit", "tail");
    RunLogs.Slice slice = logs.read(runId, attempt, offset, limit, tail);
    long next = slice.offset() + slice.data().length;
    return ResponseEntity.ok()
        .contentType(new MediaType("text", "plain", StandardCharsets.UTF_8))
        .header("Sparkgate-Log-Offset", Long.toString(slice.offset()))
        .header("Sparkgate-Log-Next-Offset", Long.toString(next))
        .header("Sparkgate-Log-Size", Long.toString(slice.size()))
        .header(
            "Sparkgate-Log-Complete", Boolean.toString(slice.complete() && next >= slice.size()))
        .header("Sparkgate-Log-Dropped-Bytes", Long.toString(slice.droppedBytes()))
        .body(slice.data());
  }

  private static Set<RunState> states(String text) {
    if (text == null || text.isBlank()) {
      return Set.of();
    }
    Set<RunState> states = EnumSet.noneOf(RunState.class);
    for (String part : text.split(",", -1)) {
      try {
        states.add(RunState.valueOf(part));
      } catch (IllegalArgumentException e) {
        throw new SparkgateException(
            ErrorKind.INVALID_REQUEST, "state must be a list of run states, not '" + part + "'.");
      }
    }
    return states;
  }

  /**
   * The label filters as sent. Read from the request, not from Spring's binding, which splits a
   * single value at its commas and turns an empty one into no filter at all.
   */
  private static List<RunFilter.Label> labels(String[] labels) {
    List<RunFilter.Label> out = new ArrayList<>();
    if (labels == null) {
      return out;
    }
    if (labels.length > RunService.MAX_LABELS) {
      throw new SparkgateException(
          ErrorKind.INVALID_REQUEST, "At most " + RunService.MAX_LABELS + " label filters.");
    }
    for (String label : labels) {
      int eq = label.indexOf('=');
      String key = eq < 0 ? label : label.substring(0, eq);
      if (eq < 0 || !RunService.LABEL_KEY.matcher(key).matches()) {
        throw new SparkgateException(
            ErrorKind.INVALID_REQUEST,
            "label must be key=value, the key 1 to 63 letters, digits, '.', '_', '/' or '-',"
                + " starting and ending with a letter or digit.");
      }
      out.add(new RunFilter.Label(key, label.substring(eq + 1)));
    }
    return out;
  }

  /** A parameter given with no value is a malformed request, not an absent one. */
  private static void rejectEmpty(HttpServletRequest request, String... names) {
    for (String name : names) {
      String[] values = request.getParameterValues(name);
      if (values != null && Arrays.stream(values).anyMatch(String::isBlank)) {
        throw new SparkgateException(
            ErrorKind.INVALID_REQUEST, "Parameter '" + name + "' needs a value.");
      }
    }
  }
}
