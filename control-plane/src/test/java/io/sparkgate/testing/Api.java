package io.sparkgate.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** A small HTTP client for the service under test: real requests over loopback. */
public final class Api {

  private static final JsonMapper JSON = JsonMapper.builder().build();

  private final String base;
  private final String token;
  private final HttpClient client =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /** A client that authenticates as the test admin. */
  public Api(int port) {
    this("http://127.0.0.1:" + port, TestTokens.ADMIN);
  }

  private Api(String base, String token) {
    this.base = base;
    this.token = token;
  }

  /** The same service with another token; null sends none. */
  public Api as(String otherToken) {
    return new Api(base, otherToken);
  }

  /** The absolute URL of a path of the service. */
  public String url(String path) {
    return base + path;
  }

  /** A response with its body parsed as JSON when it is JSON. */
  public record Response(int status, HttpResponse<String> raw, JsonNode json) {
    public String header(String name) {
      return raw.headers().firstValue(name).orElse(null);
    }

    public String contentType() {
      return header("Content-Type");
    }

    public String text(String field) {
      JsonNode node = json.get(field);
      return node == null || node.isNull() ? null : node.asString();
    }
  }

  public Response get(String path) {
    return send(HttpRequest.newBuilder(URI.create(base + path)).GET(), null);
  }

  public Response post(String path, String body, String... headers) {
    HttpRequest.Builder builder =
        HttpRequest.newBuilder(URI.create(base + path))
            .POST(
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    return send(builder, body == null ? null : "application/json", headers);
  }

  public Response put(String path, String body, String... headers) {
    return send(
        HttpRequest.newBuilder(URI.create(base + path))
            .PUT(HttpRequest.BodyPublishers.ofString(body)),
        "application/json",
        headers);
  }

  public Response delete(String path) {
    return send(HttpRequest.newBuilder(URI.create(base + path)).DELETE(), null);
  }

  public Response send(HttpRequest.Builder builder, String contentType, String... headers) {
    if (contentType != null) {
      builder.header("Content-Type", contentType);
    }
    boolean authorization = false;
    for (int i = 0; i + 1 < headers.length; i += 2) {
      builder.header(headers[i], headers[i + 1]);
      authorization |= headers[i].equalsIgnoreCase("Authorization");
    }
    if (token != null && !authorization) {
      builder.header("Authorization", "Bearer " + token);
    }
    try {
      HttpResponse<String> response =
          client.send(
              builder.timeout(Duration.ofSeconds(30)).build(),
              HttpResponse.BodyHandlers.ofString());
      String type = response.headers().firstValue("Content-Type").orElse("");
      JsonNode json =
          type.contains("json") && !response.body().isEmpty()
              ? JSON.readTree(response.body())
              : null;
      return new Response(response.statusCode(), response, json);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public static String json(Object value) {
    return JSON.writeValueAsString(value);
  }
}
