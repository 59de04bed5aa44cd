package io.sparkgate.web;

import io.sparkgate.error.ErrorKind;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Problem documents written straight to the response, for errors raised before Spring MVC (request
 * size, authentication): the same shape as {@link ProblemHandler}'s.
 */
public final class ProblemResponses {

  private ProblemResponses() {}

  public static final String CONTENT_TYPE = "application/problem+json";

  public static void write(
      HttpServletRequest request, HttpServletResponse response, ErrorKind kind, String detail)
      throws IOException {
    write(response, kind.status(), kind, detail, request.getRequestURI());
  }

  /** A problem document of the given status; {@code instance} is left out when null. */
  public static void write(
      HttpServletResponse response, int status, ErrorKind kind, String detail, String instance)
      throws IOException {
    response.setStatus(status);
    response.setContentType(CONTENT_TYPE);
    response
        .getOutputStream()
        .write(body(status, kind, detail, instance).getBytes(StandardCharsets.UTF_8));
  }

  /**
   * A problem document of the given status. {@code instance} is left out when null (for requests
   * whose URI was itself the problem).
   */
  public static String body(int status, ErrorKind kind, String detail, String instance) {
    return "{\"type\":\""
        + kind.type()
        + "\",\"title\":\""
        + escape(kind.title())
        + "\",\"status\":"
        + status
        + ",\"detail\":\""
        + escape(detail)
        + (instance == null ? "\"" : "\",\"instance\":\"" + escape(instance) + "\"")
        + "}";
  }

  private static String escape(String text) {
    StringBuilder out = new StringBuilder();
    for (char c : text.toCharArray()) {
      if (c == '"' || c == '\\') {
        out.append('\\').append(c);
      } else if (c < 0x20) {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }
}
