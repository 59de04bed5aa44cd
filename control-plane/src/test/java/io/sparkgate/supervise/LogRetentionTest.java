package io.sparkgate.supervise;

import static org.assertj.core.api.Assertions.assertThat;

import io.sparkgate.testing.FakeBackendTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

class LogRetentionTest extends FakeBackendTest {

  @Autowired LogRetention retention;

  Path runDir(UUID runId) throws Exception {
    Path dir = Path.of("target/test-work/fake/runs", runId.toString(), "attempt-1");
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("driver.log"), "log of " + runId);
    return dir.getParent();
  }

  @Test
  void deletesOnlyTheLogsOfRunsFinishedBeforeTheCutoff() throws Exception {
    registerJob("retention", "");
    UUID finished = submit("retention", "2024-01-01");
    awaitLaunch(finished).succeed();
    awaitState(finished, "SUCCEEDED");
    UUID live = submit("retention", "2024-01-02");
    awaitLaunch(live);
    Path finishedDir = runDir(finished);
    Path liveDir = runDir(live);
    Path foreign = Path.of("target/test-work/fake/runs/not-a-run");
    Files.createDirectories(foreign);

    // A cutoff before the run finished keeps it.
    retention.deleteExpired(clock.instant().minus(Duration.ofDays(1)));
    assertThat(finishedDir).exists();

    retention.deleteExpired(clock.instant().plus(Duration.ofSeconds(1)));
    assertThat(finishedDir).doesNotExist();
    assertThat(liveDir).exists();
    assertThat(foreign).exists();
    fake.driver(live).succeed();
  }
}
