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

  /** Links for one response: its attempts share the base, worked out once, when first needed. */
  public InRequest inRequest() {
    return new InRequest();
  }

  /** The History Server links of one response's attempts. */
  public final class InRequest {
    private String base;

    private InRequest() {}

    /**
     * The History Server page of an application that wrote an event log and has ended, in the
     * History Server the service links to; null without one of those. The embedded server's link is
     * on the host the client asked.
     */
    public String of(String sparkAppId, String eventLogDir, boolean ended) {
      if (none || sparkAppId == null || eventLogDir == null || !ended) {
        return null;
      }
      if (base == null) {
        base =
            external != null
                ? external
                : ServletUriComponentsBuilder.fromCurrentContextPath()
                    .path(EMBEDDED_PATH)
                    .toUriString();
      }
      return base + "/history/" + sparkAppId + "/";
    }
  }
}
