package io.sparkgate.config;

import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/** Where drivers reach this service: {@code sparkgate.public-url}, else loopback and our port. */
@Component
public class PublicUrl {

  private final SparkgateProperties properties;
  private final Environment environment;

  public PublicUrl(SparkgateProperties properties, Environment environment) {
    this.properties = properties;
    this.environment = environment;
  }

  /** The absolute URL of a path of this service. */
  public String resolve(String path) {
    String base = properties.publicUrl();
    if (base.isBlank()) {
      // Known only once the web server has started (server.port=0 picks any free port).
      base =
          "http://127.0.0.1:"
              + environment.getProperty(
                  "local.server.port", environment.getProperty("server.port", "8080"));
    }
    return base.replaceAll("/+$", "") + path;
  }
}
