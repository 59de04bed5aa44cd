package io.sparkgate.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.sparkgate.testing.FakeBackendTest;
import io.sparkgate.testing.TestTokens;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Requests that Tomcat or the security firewall refuse before any controller runs still get a
 * problem document, with nothing of the server or the offending input in it. Sent over a raw
 * socket: an HTTP client library would refuse to send most of them.
 */
class RejectedRequestsTest extends FakeBackendTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "GET /api/v1/jobs/a%2Fb HTTP/1.1", // encoded slash: Tomcat
        "GET /api/v1/jobs/%zz HTTP/1.1", // broken percent-encoding: Tomcat
        "GET /api/v1/jobs/a|b HTTP/1.1", // character not allowed in a URL: Tomcat
        "GET /api/v1/jobs/{x} HTTP/1.1",
        "GET /api/v1/../../etc/passwd HTTP/1.1", // '..' segments: Tomcat or the firewall
        "GET /api/v1/jobs/%2e%2e/%2e%2e/etc HTTP/1.1",
        "GET /api/v1/jobs;jsessionid=x HTTP/1.1", // path parameters: the firewall
        "GET /api/v1/jobs/a%00b HTTP/1.1", // encoded NUL
        "GET /api/v1/jobs HTTP/1.1\\r\\nX-Huge: @HUGE@", // header too large
        "GET /api/v1/runs?=%1DBW HTTP/1.1", // a query parameter without a name
        "GET /api/v1/runs?limit=%C3 HTTP/1.1", // a broken UTF-8 sequence
        "BREW /api/v1/jobs HTTP/1.1" // unknown method
      })
  void refusedRequestsGetAProblemDocument(String requestLine) throws IOException {
    String head = requestLine.replace("\\r\\n", "\r\n").replace("@HUGE@", "x".repeat(64 * 1024));
    String request =
        head
            + "\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
            + TestTokens.ADMIN
            + "\r\nConnection: close\r\n\r\n";
    String response = exchange(request);
    String statusLine = response.substring(0, response.indexOf("\r\n"));
    int status = Integer.parseInt(statusLine.split(" ")[1]);
    assertThat(status).as(response).isBetween(400, 499);
    int split = response.indexOf("\r\n\r\n");
    String headers = response.substring(0, split).toLowerCase(Locale.ROOT);
    String body = unchunk(headers, response.substring(split + 4));
    assertThat(headers).as(response).contains("content-type: application/problem+json");
    JsonNode problem = JsonMapper.builder().build().readTree(body);
    assertThat(problem.get("type").asString()).startsWith("https://sparkgate.io/problems/");
    assertThat(problem.get("status").asInt()).isEqualTo(status);
    assertThat(body.toLowerCase(Locale.ROOT))
        .doesNotContain("tomcat", "exception", "<html", "etc/passwd", "jsessionid");
  }

  private String exchange(String request) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(request.getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      InputStream in = socket.getInputStream();
      ByteArrayOutputStream all = new ByteArrayOutputStream();
      in.transferTo(all);
      return all.toString(StandardCharsets.UTF_8);
    }
  }

  /** The body of a chunked response, else the body as is. */
  private static String unchunk(String headers, String body) {
    if (!headers.contains("transfer-encoding: chunked")) {
      return body;
    }
    StringBuilder out = new StringBuilder();
    int at = 0;
    while (true) {
      int eol = body.indexOf("\r\n", at);
      int size = Integer.parseInt(body.substring(at, eol).trim(), 16);
      if (size == 0) {
        return out.toString();
      }
      out.append(body, eol + 2, eol + 2 + size);
      at = eol + 2 + size + 2;
    }
  }
}
