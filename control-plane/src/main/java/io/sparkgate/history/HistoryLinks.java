package io.sparkgate.history;

import io.sparkgate.config.SparkgateProperties;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.support.ServletUriComponentsBuilder;

/** Where an attempt's application is shown in the History Server. */
@Component
public class HistoryLinks {

  /** This service's path of its own History Server's UI (see HistoryProxy). */
  public static final String EMBEDDED_PATH = "/api/v1/spark-history";

  private final String external;
  private final boolean none;

  public HistoryLinks(SparkgateProperties properties, EmbeddedHistoryServer embedded) {
    String url = properties.history().url();
    this.none =
        url.equals("none")
            || properties.history().eventLogDir().equals("none")
            // No server of its own (an event-log URI, no Spark home) and none named.
            || (url.isBlank() && !embedded.enabled());
    this.external = url.isBlank() || none ? null : url.replaceAll("/+$", "");
  }

  /**
   * The History Server page of an application that wrote an event log and has ended, in the History
   * Server the service links to; null without one of those. Within a request: the embedded server's
   * link is on the host the client asked.
   */
  public String of(String sparkAppId, String eventLogDir, boolean ended) {
    if (none || sparkAppId == null || eventLogDir == null || !ended) {
      return null;
    }
    String path = "/history/" + sparkAppId + "/";
    if (external != null) {
      return external + path;
    }
    return ServletUriComponentsBuilder.fromCurrentContextPath()
        .path(EMBEDDED_PATH + path)
        .toUriString();
  }
}
