package io.sparkgate.catalog.web;

import io.sparkgate.catalog.CatalogService;
import io.sparkgate.catalog.CatalogService.Registration;
import io.sparkgate.catalog.Job;
import io.sparkgate.catalog.JobDefinition;
import io.sparkgate.catalog.JobDefinitionValidator;
import io.sparkgate.web.Actors;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.net.URI;
import java.util.List;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** The job catalog: registered, versioned Spark applications. */
@RestController
@RequestMapping(path = "/api/v1/jobs", produces = "application/json")
@Tag(name = "Jobs", description = "Register, version, enable and disable jobs.")
public class JobController {

  private static final String NAME_PATTERN = JobDefinitionValidator.JOB_NAME_PATTERN;

  private final CatalogService catalog;
  private final Actors actors;

  public JobController(CatalogService catalog, Actors actors) {
    this.catalog = catalog;
    this.actors = actors;
  }

  @PutMapping(path = "/{name}", consumes = "application/json")
  @Operation(
      summary = "Create or change a job",
      description =
          "Registers the definition as the job's next version. The same content as the latest"
              + " version creates nothing and answers 200. Its sparkConf and allowedSparkConf go"
              + " through the Spark conf policy: when keys the policy refuses are the only"
              + " problems, the answer is 422 disallowed-spark-conf; with other problems as well"
              + " it is 422 invalid-job-definition. Either way every problem is listed, and each"
              + " refused key is an error with field sparkConf.<key> (or allowedSparkConf) and"
              + " the policy's group. spark.jars, spark.files, spark.archives and"
              + " spark.submit.pyFiles are allowed when every comma-separated entry lies under"
              + " the service's artifact locations.")
  @ApiResponse(responseCode = "201", description = "A new version was created")
  @ApiResponse(responseCode = "200", description = "Unchanged: the latest version has this content")
  @ApiResponse(
      responseCode = "422",
      description =
          "The definition is not valid (invalid-job-definition), or only its Spark conf is refused"
              + " (disallowed-spark-conf)")
  public ResponseEntity<JobVersionView> put(
      @PathVariable @Parameter(schema = @Schema(pattern = NAME_PATTERN)) String name,
      @RequestBody JobDefinition definition) {
    Registration registration = catalog.register(name, definition, actors.current());
    JobVersionView view = JobVersionView.of(registration.version());
    if (registration.created()) {
      return ResponseEntity.created(
              URI.create("/api/v1/jobs/" + name + "/versions/" + view.version()))
          .body(view);
    }
    return ResponseEntity.ok(view);
  }

  @GetMapping
  @Operation(summary = "List jobs with their latest definitions")
  @ApiResponse(responseCode = "200", description = "Every job")
  public List<JobView> list() {
    return catalog.list().stream().map(this::view).toList();
  }

  @GetMapping("/{name}")
  @Operation(summary = "Get a job with its latest definition")
  @ApiResponse(responseCode = "200", description = "The job")
  @ApiResponse(responseCode = "404", description = "No such job")
  public JobView get(
      @PathVariable @Parameter(schema = @Schema(pattern = NAME_PATTERN)) String name) {
    return view(catalog.get(name));
  }

  @GetMapping("/{name}/versions")
  @Operation(summary = "List a job's versions, newest first")
  @ApiResponse(responseCode = "200", description = "The versions")
  @ApiResponse(responseCode = "404", description = "No such job or version")
  public List<JobVersionView> versions(
      @PathVariable @Parameter(schema = @Schema(pattern = NAME_PATTERN)) String name) {
    return catalog.versions(name).stream().map(JobVersionView::of).toList();
  }

  @GetMapping("/{name}/versions/{version}")
  @Operation(summary = "Get one version of a job")
  @ApiResponse(responseCode = "200", description = "The version")
  @ApiResponse(responseCode = "404", description = "No such job or version")
  public JobVersionView version(
      @PathVariable @Parameter(schema = @Schema(pattern = NAME_PATTERN)) String name,
      @PathVariable @Parameter(schema = @Schema(type = "integer", format = "int32", minimum = "1"))
          int version) {
    return JobVersionView.of(catalog.version(name, version));
  }

  @PostMapping("/{name}/disable")
  @Operation(
      summary = "Disable a job",
      description = "New runs are refused (422); history, queued and running runs are kept.")
  @ApiResponse(responseCode = "200", description = "The job")
  @ApiResponse(responseCode = "404", description = "No such job")
  public JobView disable(
      @PathVariable @Parameter(schema = @Schema(pattern = NAME_PATTERN)) String name) {
    return view(catalog.setEnabled(name, false));
  }

  @PostMapping("/{name}/enable")
  @Operation(summary = "Enable a job again")
  @ApiResponse(responseCode = "200", description = "The job")
  @ApiResponse(responseCode = "404", description = "No such job")
  public JobView enable(
      @PathVariable @Parameter(schema = @Schema(pattern = NAME_PATTERN)) String name) {
    return view(catalog.setEnabled(name, true));
  }

  private JobView view(Job job) {
    return JobView.of(job, catalog.version(job.name(), job.latestVersion()).definition());
  }
}
