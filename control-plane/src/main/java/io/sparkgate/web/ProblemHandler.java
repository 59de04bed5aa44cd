package io.sparkgate.web;

import io.sparkgate.error.ErrorKind;
import io.sparkgate.error.SparkgateException;
import java.net.URI;
import org.apache.tomcat.util.http.InvalidParameterException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.QueryTimeoutException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.security.web.firewall.RequestRejectedException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

/**
 * Turns every error into RFC 9457 problem details with a stable {@code type}. No response carries a
 * stack trace, an exception class or SQL: unexpected failures are logged and answered with a
 * generic 500.
 */
@RestControllerAdvice
public class ProblemHandler extends ResponseEntityExceptionHandler {

  private static final Logger log = LoggerFactory.getLogger(ProblemHandler.class);

  @ExceptionHandler(SparkgateException.class)
  ResponseEntity<Object> handleSparkgate(SparkgateException e, WebRequest request) {
    ProblemDetail problem = problem(e.kind(), e.getMessage());
    e.properties().forEach(problem::setProperty);
    if (e.kind().status() == 429) {
      return ResponseEntity.status(429)
          .header(HttpHeaders.RETRY_AFTER, "5")
          .contentType(org.springframework.http.MediaType.APPLICATION_PROBLEM_JSON)
          .body(problem);
    }
    return withProblemType(problem);
  }

  @ExceptionHandler(MethodArgumentTypeMismatchException.class)
  ResponseEntity<Object> handleTypeMismatch(MethodArgumentTypeMismatchException e) {
    if ("runId".equals(e.getName())) {
      // A malformed id names no run.
      return withProblemType(problem(ErrorKind.RUN_NOT_FOUND, "No run " + e.getValue() + "."));
    }
    return withProblemType(
        problem(
            ErrorKind.INVALID_REQUEST, "Parameter '" + e.getName() + "' has an invalid value."));
  }

  /** A query string Tomcat cannot parse (an empty name, broken percent-encoding). */
  @ExceptionHandler(InvalidParameterException.class)
  ResponseEntity<Object> handleMalformedQuery(InvalidParameterException e) {
    return withProblemType(problem(ErrorKind.MALFORMED_REQUEST, "The query string is malformed."));
  }

  /** The firewall checks query parameters when they are read, so inside Spring MVC. */
  @ExceptionHandler(RequestRejectedException.class)
  ResponseEntity<Object> handleRejected(RequestRejectedException e) {
    return withProblemType(
        problem(ErrorKind.MALFORMED_REQUEST, "A query parameter holds a character not allowed."));
  }

  /**
   * The database did not serve the request: a statement ran longer than {@code
   * sparkgate.api.statement-timeout} (see {@link StatementTimeoutFilter}) and was cancelled, no
   * connection could be had within the pool's connection timeout, or the database is away. Each may
   * pass; nothing was written that the client would have to know about.
   */
  @ExceptionHandler({TransientDataAccessException.class, DataAccessResourceFailureException.class})
  ResponseEntity<Object> handleDatabaseUnavailable(DataAccessException e, WebRequest request) {
    boolean timeout = e instanceof QueryTimeoutException;
    log.warn(
        "{} ({}): {}",
        timeout
            ? "A statement ran past the statement timeout"
            : "The database did not serve a request",
        request.getDescription(false),
        e.getMostSpecificCause().getMessage());
    ProblemDetail problem =
        problem(
            ErrorKind.SERVICE_UNAVAILABLE,
            timeout
                ? "The database did not answer in time; try again shortly."
                : "The database is unavailable; try again shortly.");
    return ResponseEntity.status(problem.getStatus())
        .header(HttpHeaders.RETRY_AFTER, "5")
        .contentType(org.springframework.http.MediaType.APPLICATION_PROBLEM_JSON)
        .body(problem);
  }

  @ExceptionHandler(Exception.class)
  ResponseEntity<Object> handleUnexpected(Exception e) {
    log.error("Unexpected error", e);
    return withProblemType(problem(ErrorKind.INTERNAL, "An unexpected error occurred."));
  }

  @Override
  protected ResponseEntity<Object> handleHttpMessageNotReadable(
      HttpMessageNotReadableException e,
      HttpHeaders headers,
      HttpStatusCode status,
      WebRequest request) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof PayloadTooLargeException tooLarge) {
        return withProblemType(problem(ErrorKind.PAYLOAD_TOO_LARGE, tooLarge.getMessage() + "."));
      }
    }
    return withProblemType(
        problem(
            ErrorKind.MALFORMED_REQUEST,
            "The request body is not valid JSON of the expected shape: " + safeReason(e)));
  }

  /** Gives Spring MVC's own errors (404, 405, 415, ...) our stable types. */
  @Override
  protected ResponseEntity<Object> handleExceptionInternal(
      Exception e, Object body, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
    ProblemDetail problem =
        body instanceof ProblemDetail detail
            ? detail
            : ProblemDetail.forStatusAndDetail(status, "The request could not be processed.");
    ErrorKind kind = ErrorKind.forStatus(status.value());
    problem.setType(URI.create(kind.type()));
    if (problem.getTitle() == null) {
      problem.setTitle(kind.title());
    }
    if (status.is5xxServerError()) {
      log.error("Request failed", e);
      problem.setDetail("An unexpected error occurred.");
    }
    return ResponseEntity.status(status)
        .headers(headers)
        .contentType(org.springframework.http.MediaType.APPLICATION_PROBLEM_JSON)
        .body(problem);
  }

  static ProblemDetail problem(ErrorKind kind, String detail) {
    ProblemDetail problem =
        ProblemDetail.forStatusAndDetail(HttpStatus.valueOf(kind.status()), detail);
    problem.setType(URI.create(kind.type()));
    problem.setTitle(kind.title());
    return problem;
  }

  private static ResponseEntity<Object> withProblemType(ProblemDetail problem) {
    return ResponseEntity.status(problem.getStatus())
        .contentType(org.springframework.http.MediaType.APPLICATION_PROBLEM_JSON)
        .body(problem);
  }

  /**
   * The parser's complaint, without class names or source locations: enough for a client to find
   * its mistake, nothing about our internals.
   */
  private static String safeReason(HttpMessageNotReadableException e) {
    Throwable root = e.getMostSpecificCause();
    String message = root.getMessage() == null ? "" : root.getMessage();
    int cut = message.indexOf(" at [Source");
    if (cut >= 0) {
      message = message.substring(0, cut);
    }
    message =
        message
            .replaceAll("\\(class [^)]*\\)", "")
            .replaceAll("`[a-z]+(\\.[A-Za-z0-9_$]+)+`", "value");
    message = message.lines().findFirst().orElse("").strip();
    if (message.isEmpty() || message.length() > 300) {
      return "unreadable body";
    }
    return message;
  }
}
