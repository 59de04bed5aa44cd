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

  public static void write(
      HttpServletRequest request, HttpServletResponse response, ErrorKind kind, String detail)
      throws IOException {
    response.setStatus(kind.status());
    response.setContentType("application/problem+json");
    String body =
        "{\"type\":\""
            + kind.type()
            + "\",\"title\":\""
            + escape(kind.title())
            + "\",\"status\":"
            + kind.status()
            + ",\"detail\":\""
            + escape(detail)
            + "\",\"instance\":\""
            + escape(request.getRequestURI())
            + "\"}";
    response.getOutputStream().write(body.getBytes(StandardCharsets.UTF_8));
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
