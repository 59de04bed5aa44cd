package io.sparkgate.catalog.web;

import io.sparkgate.catalog.CatalogService;
import io.sparkgate.catalog.CatalogService.Registration;
import io.sparkgate.catalog.Job;
import io.sparkgate.catalog.JobDefinition;
import io.sparkgate.web.Actors;
import io.swagger.v3.oas.annotations.Operation;
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
@ApiResponse(responseCode = "404", description = "No such job or version")
public class JobController {

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
              + " version creates nothing and answers 200.")
  @ApiResponse(responseCode = "201", description = "A new version was created")
  @ApiResponse(responseCode = "200", description = "Unchanged: the latest version has this content")
  @ApiResponse(responseCode = "422", description = "The definition is not valid")
  public ResponseEntity<JobVersionView> put(
      @PathVariable String name, @RequestBody JobDefinition definition) {
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
  public List<JobView> list() {
    return catalog.list().stream().map(this::view).toList();
  }

  @GetMapping("/{name}")
  @Operation(summary = "Get a job with its latest definition")
  public JobView get(@PathVariable String name) {
    return view(catalog.get(name));
  }

  @GetMapping("/{name}/versions")
  @Operation(summary = "List a job's versions, newest first")
  public List<JobVersionView> versions(@PathVariable String name) {
    return catalog.versions(name).stream().map(JobVersionView::of).toList();
  }

  @GetMapping("/{name}/versions/{version}")
  @Operation(summary = "Get one version of a job")
  public JobVersionView version(@PathVariable String name, @PathVariable int version) {
    return JobVersionView.of(catalog.version(name, version));
  }

  @PostMapping("/{name}/disable")
  @Operation(
      summary = "Disable a job",
      description = "New runs are refused (422); history, queued and running runs are kept.")
  public JobView disable(@PathVariable String name) {
    return view(catalog.setEnabled(name, false));
  }

  @PostMapping("/{name}/enable")
  @Operation(summary = "Enable a job again")
  public JobView enable(@PathVariable String name) {
    return view(catalog.setEnabled(name, true));
  }

  private JobView view(Job job) {
    return JobView.of(job, catalog.version(job.name(), job.latestVersion()).definition());
  }
}
