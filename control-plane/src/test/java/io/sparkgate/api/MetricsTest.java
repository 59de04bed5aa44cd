package io.sparkgate.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.sparkgate.testing.FakeBackendTest;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class MetricsTest extends FakeBackendTest {

  String prometheus() {
    return api.get("/actuator/prometheus").raw().body();
  }

  @Test
  void runsAreCountedAndTimedByJob() {
    registerJob("metrics", "\"maxConcurrentRuns\": 1");
    UUID first = submit("metrics", "2024-01-01");
    awaitLaunch(first);
    awaitState(first, "RUNNING");
    UUID second = submit("metrics", "2024-01-02");
    // The second run waits behind the job's limit: the gauges see it queued.
    await()
        .atMost(Duration.ofSeconds(15))
        .until(
            () ->
                prometheus()
                    .contains(
                        "sparkgate_runs_live{application=\"sparkgate\",job=\"metrics\",state=\"QUEUED\"} 1.0"));
    assertThat(prometheus())
        .contains(
            "sparkgate_runs_live{application=\"sparkgate\",job=\"metrics\",state=\"RUNNING\"} 1.0");

    fake.driver(first).succeed();
    awaitLaunch(second).fail("boom");
    awaitState(second, "FAILED");
    String text = prometheus();
    assertThat(text)
        .contains("sparkgate_runs_submitted_total{application=\"sparkgate\",job=\"metrics\"} 2.0")
        .contains(
            "sparkgate_runs_finished_total{application=\"sparkgate\",job=\"metrics\",state=\"SUCCEEDED\"} 1.0")
        .contains(
            "sparkgate_runs_finished_total{application=\"sparkgate\",job=\"metrics\",state=\"FAILED\"} 1.0")
        .contains(
            "sparkgate_runs_launch_latency_seconds_count{application=\"sparkgate\",job=\"metrics\"} 2")
        .contains(
            "sparkgate_runs_queue_wait_seconds_count{application=\"sparkgate\",job=\"metrics\"} 2")
        .contains(
            "sparkgate_runs_duration_seconds_count{application=\"sparkgate\",job=\"metrics\",outcome=\"FAILED\"} 1")
        .contains("sparkgate_queue_depth")
        .contains("sparkgate_runs_active");
  }
}
