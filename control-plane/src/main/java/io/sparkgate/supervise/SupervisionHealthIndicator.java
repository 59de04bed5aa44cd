package io.sparkgate.supervise;

import io.sparkgate.config.SparkgateProperties;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * Ready while the supervision loop completes passes: a loop that cannot reach the database, or has
 * stalled, makes the instance not ready.
 */
@Component("supervision")
public class SupervisionHealthIndicator implements HealthIndicator {

  private final Supervisor supervisor;
  private final Clock clock;
  private final Duration staleAfter;

  public SupervisionHealthIndicator(
      Supervisor supervisor, Clock clock, SparkgateProperties properties) {
    this.supervisor = supervisor;
    this.clock = clock;
    // Three missed polls, and never less than the time a slow pass may take.
    this.staleAfter =
        properties.supervision().pollInterval().multipliedBy(3).plus(Duration.ofSeconds(10));
  }

  @Override
  public Health health() {
    Supervisor.Status status = supervisor.status();
    Health.Builder builder =
        status.lastPassAt() != null
                && status.lastFailure() == null
                && status.leaseHeld()
                && status.lastPassAt().plus(staleAfter).isAfter(Instant.now(clock))
            ? Health.up()
            : Health.down();
    builder
        .withDetail("instance", status.instanceId())
        .withDetail("activeRuns", status.activeRuns())
        .withDetail("leaseHeld", status.leaseHeld());
    if (status.lastPassAt() != null) {
      builder.withDetail("lastPassAt", status.lastPassAt().toString());
    }
    if (status.lastFailure() != null) {
      builder.withDetail("lastFailure", "the last pass failed; see the service log");
    }
    return builder.build();
  }
}
