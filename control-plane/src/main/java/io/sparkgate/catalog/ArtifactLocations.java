package io.sparkgate.catalog;

import io.sparkgate.config.SparkHome;
import io.sparkgate.config.SparkgateProperties;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * Where job artifacts may live. A job's {@code appResource} must lie under one of these locations,
 * so an admin's typo or a stolen admin token cannot point a job at an arbitrary file.
 *
 * <p>A location is an absolute local directory ({@code /opt/sparkgate/jobs}, same as {@code
 * file:/opt/sparkgate/jobs}) or a URI prefix with a scheme ({@code hdfs://nn:8020/jobs}, {@code
 * s3a://bucket/jobs}, {@code local:/opt/jobs}). A resource matches when, after normalisation, it
 * has the same scheme and authority and its path is the location's path or below it, compared by
 * whole segments ({@code /opt/jobs} does not cover {@code /opt/jobs-old/x.jar}). Resources with
 * {@code ..} segments (through a symbolic link {@code a/b/..} need not be {@code a}),
 * percent-encoding, a query, a fragment, or a relative path are refused outright. Symbolic links
 * are not followed: what lies in a location is the operators' responsibility.
 */
@Component
public class ArtifactLocations {

  private final List<Location> locations;

  private static final Logger log = LoggerFactory.getLogger(ArtifactLocations.class);

  @Autowired
  public ArtifactLocations(SparkgateProperties properties, SparkHome sparkHome) {
    this(configuredOrDefault(properties, sparkHome));
    log.info("Job artifacts (appResource) may come from {}", describe());
  }

  ArtifactLocations(List<String> locations) {
    this.locations = locations.stream().map(ArtifactLocations::parseLocation).toList();
  }

  /** The locations in force, as configured or defaulted, for messages and the start-up log. */
  public List<String> describe() {
    return locations.stream().map(Location::display).toList();
  }

  /** Why the resource is not allowed, or empty when it lies under a location. */
  public Optional<String> check(String appResource) {
    Optional<Location> resource;
    try {
      resource = parseResource(appResource);
    } catch (IllegalArgumentException e) {
      return Optional.of(e.getMessage());
    }
    if (resource.isPresent() && locations.stream().anyMatch(l -> l.covers(resource.get()))) {
      return Optional.empty();
    }
    return Optional.of("must lie under one of the configured artifact locations " + describe());
  }

  private static List<String> configuredOrDefault(
      SparkgateProperties properties, SparkHome sparkHome) {
    SparkgateProperties.Catalog catalog = properties.catalog();
    if (!catalog.artifactLocations().isEmpty()) {
      return catalog.artifactLocations();
    }
    List<String> defaults = new ArrayList<>();
    defaults.add(properties.workDir().resolve("artifacts").toAbsolutePath().normalize().toString());
    if (!catalog.jobsJar().isBlank()) {
      Path parent = Path.of(catalog.jobsJar()).toAbsolutePath().normalize().getParent();
      if (parent != null) {
        defaults.add(parent.toString());
      }
    } else {
      // The jobs jar this repository's build puts next to its Spark runtime.
      sparkHome
          .builtJobsJar()
          .filter(Files::isRegularFile)
          .ifPresent(jar -> defaults.add(jar.getParent().toString()));
    }
    return defaults;
  }

  private static Location parseLocation(String text) {
    try {
      return parseResource(text).orElseThrow(() -> new IllegalArgumentException("not absolute"));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "sparkgate.catalog.artifact-locations: '" + text + "' is not usable: " + e.getMessage(),
          e);
    }
  }

  /**
   * The scheme, authority and normalised path of a resource; empty for a relative path. Throws with
   * a reason for forms that are refused outright.
   */
  private static Optional<Location> parseResource(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("is required");
    }
    if (text.indexOf('%') >= 0) {
      throw new IllegalArgumentException("must not contain percent-encoding");
    }
    if (text.chars().anyMatch(c -> c < 0x20 || c == 0x7f || c == '\\')) {
      throw new IllegalArgumentException("must not contain control characters or backslashes");
    }
    if (text.indexOf('?') >= 0 || text.indexOf('#') >= 0) {
      // Spark reads the resource as a URI: these would start a query or a fragment.
      throw new IllegalArgumentException("must not have a query or fragment ('?', '#')");
    }
    String scheme;
    String authority;
    String path;
    if (text.startsWith("/")) {
      scheme = "file";
      authority = "";
      path = text;
    } else {
      URI uri;
      try {
        uri = new URI(text);
      } catch (URISyntaxException e) {
        throw new IllegalArgumentException("is not a valid path or URI");
      }
      if (uri.getScheme() == null) {
        return Optional.empty();
      }
      if (uri.isOpaque()) {
        throw new IllegalArgumentException("must be an absolute path or a hierarchical URI");
      }
      scheme = uri.getScheme().toLowerCase(Locale.ROOT);
      authority =
          uri.getRawAuthority() == null ? "" : uri.getRawAuthority().toLowerCase(Locale.ROOT);
      path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
      if (!path.startsWith("/")) {
        return Optional.empty();
      }
    }
    List<String> segments = new ArrayList<>();
    for (String segment : path.split("/", -1)) {
      if (segment.isEmpty() || segment.equals(".")) {
        continue;
      }
      if (segment.equals("..")) {
        // Not resolved lexically: through a symbolic link, a/b/.. need not be a.
        throw new IllegalArgumentException("must not contain '..' segments");
      }
      segments.add(segment);
    }
    return Optional.of(new Location(scheme, authority, segments));
  }

  private record Location(String scheme, String authority, List<String> segments) {

    boolean covers(Location resource) {
      return scheme.equals(resource.scheme)
          && authority.equals(resource.authority)
          && resource.segments.size() > segments.size()
          && resource.segments.subList(0, segments.size()).equals(segments);
    }

    String display() {
      String path = "/" + String.join("/", segments);
      if (authority.isEmpty()) {
        return scheme.equals("file") ? path : scheme + ":" + path;
      }
      return scheme + "://" + authority + path;
    }
  }
}
