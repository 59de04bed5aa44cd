package io.sparkgate.error;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

/**
 * A failure a client caused or must know about, carrying its {@link ErrorKind} and optional
 * structured details (for example the list of invalid parameters).
 */
public class SparkgateException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final ErrorKind kind;
  private final transient Map<String, Object> properties;

  public SparkgateException(ErrorKind kind, String detail) {
    this(kind, detail, Map.of());
  }

  public SparkgateException(ErrorKind kind, String detail, Map<String, Object> properties) {
    super(detail);
    this.kind = kind;
    this.properties = Map.copyOf(properties);
  }

  /** An error listing individual violations as {@code errors: [{field, message}]}. */
  public static SparkgateException withViolations(
      ErrorKind kind, String detail, List<Violation> violations) {
    return new SparkgateException(kind, detail, Map.of("errors", List.copyOf(violations)));
  }

  public ErrorKind kind() {
    return kind;
  }

  public Map<String, Object> properties() {
    return properties;
  }

  /**
   * One invalid field of a request.
   *
   * @param group for a Spark conf key the conf policy refuses, why (the policy's group, such as
   *     {@code class-name}); null otherwise
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Violation(String field, String message, String group) {

    public Violation(String field, String message) {
      this(field, message, null);
    }
  }
}
