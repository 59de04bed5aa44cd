package io.sparkgate.web;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.springframework.stereotype.Component;

/**
 * Passes a viewer's GET on to one of Spark's web UIs on loopback (a driver's, the History Server's)
 * and its answer back. Spark writes the links of its pages under the path given in {@code
 * X-Forwarded-Context} (as it does behind Apache Knox), so pages need no rewriting; its redirects
 * are made relative to this service. The caller's credentials are never passed on.
 */
@Component
public class UiForwarding {

  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

  /** What is passed back of the UI's answer, besides its status, Location and body. */
  private static final List<String> RESPONSE_HEADERS =
      List.of("Content-Type", "Content-Encoding", "Cache-Control", "Last-Modified", "ETag");

  private final HttpClient http =
      HttpClient.newBuilder()
          .connectTimeout(CONNECT_TIMEOUT)
          .followRedirects(HttpClient.Redirect.NEVER)
          .version(HttpClient.Version.HTTP_1_1)
          .build();

  /**
   * Forwards the request, whose path lies under {@code context} (this service's path of the UI,
   * without a trailing slash), to the same path under the UI's {@code origin}.
   *
   * @throws IOException when the UI did not answer (nothing has been written to the response)
   */
  public void forward(
      HttpServletRequest request, HttpServletResponse response, URI origin, String context)
      throws IOException {
    // The raw path as the client sent it (still encoded); the firewall has refused '..' and
    // encoded slashes, so it cannot climb out of the UI's root.
    String rest = request.getRequestURI().substring(context.length());
    if (rest.isEmpty()) {
      rest = "/";
    }
    String query = request.getQueryString();
    URI target =
        URI.create(
            origin.getScheme()
                + "://"
                + origin.getRawAuthority()
                + rest
                + (query == null ? "" : "?" + query));
    String accept = request.getHeader("Accept");
    HttpRequest forwarded =
        HttpRequest.newBuilder(target)
            .timeout(REQUEST_TIMEOUT)
            .header("X-Forwarded-Context", context)
            .header("Accept", accept == null || accept.isBlank() ? "*/*" : accept)
            .header("Accept-Encoding", "identity")
            .GET()
            .build();
    HttpResponse<InputStream> answer;
    try {
      answer = http.send(forwarded, HttpResponse.BodyHandlers.ofInputStream());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
    response.setStatus(answer.statusCode());
    for (String name : RESPONSE_HEADERS) {
      answer.headers().firstValue(name).ifPresent(value -> response.setHeader(name, value));
    }
    answer
        .headers()
        .firstValue("Location")
        .ifPresent(
            location -> response.setHeader("Location", localLocation(location, origin, context)));
    try (InputStream body = answer.body()) {
      body.transferTo(response.getOutputStream());
    }
  }

  /**
   * A redirect of the UI, as the client must follow it: Spark makes its redirects absolute with the
   * host it was asked on (its own), and some of them (a driver UI's root, to /jobs/) ignore the
   * forwarded context. So the UI's origin goes, and a path outside the context is put under it.
   */
  static String localLocation(String location, URI origin, String context) {
    String prefix = origin.getScheme() + "://" + origin.getRawAuthority();
    String path = location.startsWith(prefix) ? location.substring(prefix.length()) : location;
    if (path.startsWith("/") && !path.startsWith(context + "/") && !path.equals(context)) {
      return context + path;
    }
    return path;
  }
}
