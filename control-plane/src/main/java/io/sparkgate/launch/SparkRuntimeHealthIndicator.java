package io.sparkgate.launch;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/** Ready when a Spark runtime to launch with is present. */
@Component("sparkRuntime")
public class SparkRuntimeHealthIndicator implements HealthIndicator {

  private final SparkBackend backend;

  public SparkRuntimeHealthIndicator(SparkBackend backend) {
    this.backend = backend;
  }

  @Override
  public Health health() {
    return (backend.isAvailable() ? Health.up() : Health.down())
        .withDetail("runtime", backend.describe())
        .build();
  }
}
