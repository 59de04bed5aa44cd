package io.sparkgate.history.web;

import io.sparkgate.error.ErrorKind;
import io.sparkgate.error.SparkgateException;
import io.sparkgate.history.EmbeddedHistoryServer;
import io.sparkgate.history.HistoryLinks;
import io.sparkgate.web.UiForwarding;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The embedded Spark History Server's UI, through the service (viewer role): it listens on loopback
 * only, and attempts' {@code historyUrl} point here.
 */
@RestController
@Tag(name = "Runs")
class HistoryProxy {

  private final EmbeddedHistoryServer server;
  private final UiForwarding forwarding;

  HistoryProxy(EmbeddedHistoryServer server, UiForwarding forwarding) {
    this.server = server;
    this.forwarding = forwarding;
  }

  @GetMapping({HistoryLinks.EMBEDDED_PATH, HistoryLinks.EMBEDDED_PATH + "/**"})
  @Operation(
      summary = "The Spark History Server",
      description =
          "Finished applications from their event logs: the UI of the History Server the service"
              + " runs itself (started on the first request, which may take several seconds)."
              + " An attempt's historyUrl opens its application here. 404 when the service links"
              + " to an external History Server or none (sparkgate.history.url).")
  @ApiResponse(responseCode = "200", description = "A page or asset of the History Server")
  @ApiResponse(responseCode = "404", description = "This service runs no History Server")
  @ApiResponse(responseCode = "503", description = "The History Server could not be started")
  public void proxy(HttpServletRequest request, HttpServletResponse response) throws IOException {
    if (!server.enabled()) {
      throw new SparkgateException(
          ErrorKind.NOT_FOUND,
          "This service runs no History Server of its own (sparkgate.history.url is set, or"
              + " event logs are off or not in a local directory).");
    }
    URI origin;
    try {
      origin = server.origin();
    } catch (IOException e) {
      throw new SparkgateException(
          ErrorKind.SERVICE_UNAVAILABLE, "The History Server is not available: " + e.getMessage());
    }
    try {
      forwarding.forward(
          request, response, origin, request.getContextPath() + HistoryLinks.EMBEDDED_PATH);
    } catch (UiForwarding.UnreachableException e) {
      throw new SparkgateException(
          ErrorKind.SERVICE_UNAVAILABLE, "The History Server did not answer: " + e.getMessage());
    }
  }
}
