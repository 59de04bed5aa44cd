package io.sparkgate.web;

import io.sparkgate.error.ErrorKind;
import io.sparkgate.error.SparkgateException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
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

  /** The UI did not answer in time, or not at all; nothing has been written to the response. */
  public static final class UnreachableException extends IOException {
    UnreachableException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /**
   * Forwards the request, whose path lies under {@code context} (this service's path of the UI,
   * without a trailing slash), to the same path under the UI's {@code origin}. The UI's whole
   * answer is awaited, within a deadline, before any of it is passed on.
   *
   * @throws UnreachableException when the UI did not answer within the deadline
   * @throws IOException when the client went away while the answer was written to it
   */
  public void forward(
      HttpServletRequest request, HttpServletResponse response, URI origin, String context)
      throws IOException {
    String uri = request.getRequestURI();
    if (!uri.startsWith(context)) {
      // Spring matched a path that is written differently (percent-encoded) from its context.
      throw new SparkgateException(
          ErrorKind.INVALID_REQUEST, "Write the path of the UI without percent-encoding.");
    }
    // The raw path as the client sent it (still encoded); the firewall has refused '..' and
    // encoded slashes, so it cannot climb out of the UI's root.
    String rest = uri.substring(context.length());
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
    HttpResponse<byte[]> answer;
    try {
      answer =
          http.sendAsync(forwarded, HttpResponse.BodyHandlers.ofByteArray())
              .get(REQUEST_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new UnreachableException(
          e.getCause() instanceof java.net.ConnectException
              ? "nothing listens there"
              : "the connection failed",
          e.getCause());
    } catch (TimeoutException e) {
      throw new UnreachableException("no whole answer within " + REQUEST_TIMEOUT, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UnreachableException("interrupted", e);
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
    response.getOutputStream().write(answer.body());
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
