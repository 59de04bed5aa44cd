package io.sparkgate.run;

import static io.sparkgate.run.RunState.CANCELLED;
import static io.sparkgate.run.RunState.FAILED;
import static io.sparkgate.run.RunState.LAUNCHING;
import static io.sparkgate.run.RunState.QUEUED;
import static io.sparkgate.run.RunState.RUNNING;
import static io.sparkgate.run.RunState.SUCCEEDED;
import static io.sparkgate.run.RunState.TIMED_OUT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class RunStateTest {

  /** The whole table, written out independently of the implementation. */
  private static final Map<RunState, Set<RunState>> ALLOWED =
      Map.of(
          QUEUED, EnumSet.of(LAUNCHING, CANCELLED, FAILED),
          LAUNCHING, EnumSet.of(RUNNING, QUEUED, SUCCEEDED, FAILED, CANCELLED, TIMED_OUT),
          RUNNING, EnumSet.of(QUEUED, SUCCEEDED, FAILED, CANCELLED, TIMED_OUT),
          SUCCEEDED, EnumSet.noneOf(RunState.class),
          FAILED, EnumSet.noneOf(RunState.class),
          CANCELLED, EnumSet.noneOf(RunState.class),
          TIMED_OUT, EnumSet.noneOf(RunState.class));

  @Test
  void everyPairOfStatesFollowsTheTable() {
    for (RunState from : RunState.values()) {
      for (RunState to : RunState.values()) {
        assertThat(from.canMoveTo(to))
            .as("%s -> %s", from, to)
            .isEqualTo(ALLOWED.get(from).contains(to));
      }
    }
  }

  @ParameterizedTest
  @EnumSource(
      value = RunState.class,
      names = {"SUCCEEDED", "FAILED", "CANCELLED", "TIMED_OUT"})
  void terminalStatesNeverChange(RunState terminal) {
    assertThat(terminal.isTerminal()).isTrue();
    for (RunState to : RunState.values()) {
      assertThat(terminal.canMoveTo(to)).isFalse();
    }
  }

  @Test
  void onlyLiveAndSucceededRunsHoldAnIdempotencyKey() {
    assertThat(EnumSet.allOf(RunState.class).stream().filter(RunState::holdsIdempotencyKey))
        .containsExactlyInAnyOrder(QUEUED, LAUNCHING, RUNNING, SUCCEEDED);
  }

  @Test
  void aForbiddenTransitionSaysWhichOne() {
    assertThatThrownBy(() -> SUCCEEDED.checkCanMoveTo(RUNNING))
        .isInstanceOf(IllegalStateTransitionException.class)
        .hasMessage("cannot change state from SUCCEEDED to RUNNING");
  }

  @Test
  void attemptOutcomesLeadToTheMatchingRunState() {
    assertThat(AttemptState.SUCCEEDED.finalRunState()).isEqualTo(SUCCEEDED);
    assertThat(AttemptState.FAILED.finalRunState()).isEqualTo(FAILED);
    assertThat(AttemptState.LOST.finalRunState()).isEqualTo(FAILED);
    assertThat(AttemptState.KILLED.finalRunState()).isEqualTo(CANCELLED);
    assertThat(AttemptState.TIMED_OUT.finalRunState()).isEqualTo(TIMED_OUT);
    assertThat(EnumSet.allOf(AttemptState.class).stream().filter(AttemptState::isRetryable))
        .containsExactlyInAnyOrder(AttemptState.FAILED, AttemptState.LOST);
  }
}
