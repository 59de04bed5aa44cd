package io.sparkgate.error;

/**
 * Every kind of error a client can see. Each has a stable problem {@code type} URI (RFC 9457) that
 * clients may match on; titles are for humans and may be reworded.
 */
public enum ErrorKind {
  MALFORMED_REQUEST(400, "malformed-request", "Malformed request"),
  INVALID_REQUEST(400, "invalid-request", "Invalid request"),
  INVALID_IDEMPOTENCY_KEY(400, "invalid-idempotency-key", "Invalid Idempotency-Key header"),
  UNAUTHENTICATED(401, "unauthenticated", "Authentication required"),
  FORBIDDEN(403, "forbidden", "Forbidden"),
  RUN_NOT_FOUND(404, "run-not-found", "Run not found"),
  JOB_NOT_FOUND(404, "job-not-found", "Job not found"),
  JOB_VERSION_NOT_FOUND(404, "job-version-not-found", "Job version not found"),
  ATTEMPT_NOT_FOUND(404, "attempt-not-found", "Attempt not found"),
  TOKEN_NOT_FOUND(404, "token-not-found", "API token not found"),
  NOT_FOUND(404, "not-found", "Not found"),
  METHOD_NOT_ALLOWED(405, "method-not-allowed", "Method not allowed"),
  NOT_ACCEPTABLE(406, "not-acceptable", "Not acceptable"),
  INVALID_STATE(409, "invalid-state", "Run is in the wrong state"),
  PAYLOAD_TOO_LARGE(413, "payload-too-large", "Request body too large"),
  UNSUPPORTED_MEDIA_TYPE(415, "unsupported-media-type", "Unsupported media type"),
  UNKNOWN_JOB(422, "unknown-job", "Unknown job"),
  JOB_DISABLED(422, "job-disabled", "Job is disabled"),
  JOB_ARTIFACT_NOT_ALLOWED(422, "job-artifact-not-allowed", "Job artifact not allowed"),
  INVALID_PARAMETER(422, "invalid-parameter", "Invalid job parameters"),
  DISALLOWED_SPARK_CONF(422, "disallowed-spark-conf", "Spark conf not allowed"),
  INVALID_JOB_DEFINITION(422, "invalid-job-definition", "Invalid job definition"),
  IDEMPOTENCY_KEY_REUSED(
      422, "idempotency-key-reused", "Idempotency-Key reused with a different request"),
  LOG_NOT_AVAILABLE(404, "log-not-available", "Driver log not available"),
  SPARK_UI_NOT_AVAILABLE(404, "spark-ui-not-available", "Spark UI not available"),
  SPARK_UI_UNREACHABLE(502, "spark-ui-unreachable", "Spark UI did not answer"),
  TOO_MANY_STREAMS(429, "too-many-streams", "Too many open streams"),
  SERVICE_UNAVAILABLE(503, "service-unavailable", "Service temporarily unavailable"),
  INTERNAL(500, "internal-error", "Internal error");

  /** Base of every problem type URI; the slug after it is the stable part. */
  public static final String TYPE_BASE = "https://sparkgate.io/problems/";

  private final int status;
  private final String slug;
  private final String title;

  ErrorKind(int status, String slug, String title) {
    this.status = status;
    this.slug = slug;
    this.title = title;
  }

  /** The general kind of an error known only by its HTTP status (raised by Spring or Tomcat). */
  public static ErrorKind forStatus(int status) {
    return switch (status) {
      case 400 -> MALFORMED_REQUEST;
      case 401 -> UNAUTHENTICATED;
      case 403 -> FORBIDDEN;
      case 404 -> NOT_FOUND;
      case 405 -> METHOD_NOT_ALLOWED;
      case 406 -> NOT_ACCEPTABLE;
      case 413 -> PAYLOAD_TOO_LARGE;
      case 415 -> UNSUPPORTED_MEDIA_TYPE;
      case 503 -> SERVICE_UNAVAILABLE;
      default -> status >= 500 ? INTERNAL : INVALID_REQUEST;
    };
  }

  public int status() {
    return status;
  }

  public String type() {
    return TYPE_BASE + slug;
  }

  public String title() {
    return title;
  }
}
