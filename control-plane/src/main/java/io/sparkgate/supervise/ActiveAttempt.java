package io.sparkgate.supervise;

import io.sparkgate.launch.DriverExit;
import io.sparkgate.launch.DriverHandle;
import io.sparkgate.launch.DriverObserver;
import io.sparkgate.run.AttemptRef;
import io.sparkgate.run.Run;
import io.sparkgate.run.RunState;
import java.time.Instant;
import java.util.UUID;

/**
 * One attempt this instance launched, and the facts observed about it. Observer callbacks only
 * record facts here (from any thread); the supervision loop alone turns them into state changes, so
 * a database outage delays those changes but loses none.
 */
final class ActiveAttempt implements DriverObserver {

  final UUID runId;
  final int attempt;
  final String job;
  final Instant claimedAt;
  // The fence of every write about this attempt: this run, this attempt, owned by this instance.
  final AttemptRef ref;
  // Whether the driver runs off this host (cluster deploy mode) and so outlives this instance.
  final boolean offHost;
  private final Runnable wakeUp;

  private DriverHandle handle;
  private String appId;
  private String driverId;
  private boolean running;
  private DriverExit exit;
  private String launchError;
  private StopReason stopReason;
  private String stoppedBy;
  private Instant stopRequestedAt;
  private boolean killed;
  private boolean finished;
  private boolean fenced;
  private boolean infrastructureFailure;

  // Written only by the supervision loop.
  boolean runningRecorded;
  boolean appIdRecorded;
  boolean driverIdRecorded;

  ActiveAttempt(AttemptRef ref, String job, boolean offHost, Instant claimedAt, Runnable wakeUp) {
    this.runId = ref.runId();
    this.attempt = ref.attempt();
    this.ref = ref;
    this.job = job;
    this.offHost = offHost;
    this.claimedAt = claimedAt;
    this.wakeUp = wakeUp;
  }

  @Override
  public synchronized void onAppId(String sparkAppId) {
    this.appId = sparkAppId;
    wakeUp.run();
  }

  @Override
  public synchronized void onDriverId(String id) {
    this.driverId = id;
    wakeUp.run();
  }

  @Override
  public synchronized void onRunning() {
    this.running = true;
    wakeUp.run();
  }

  @Override
  public synchronized void onFinished() {
    this.finished = true;
  }

  @Override
  public synchronized void onExit(DriverExit driverExit) {
    if (this.exit == null) {
      this.exit = driverExit;
    }
    wakeUp.run();
  }

  synchronized void launched(DriverHandle driverHandle) {
    this.handle = driverHandle;
    if (stopReason == StopReason.FENCED) {
      // The lease was lost while the launch was in flight.
      killed = true;
      driverHandle.kill();
    } else if (stopReason != null) {
      // A stop was asked for while the launch was in flight.
      driverHandle.requestStop();
    }
  }

  /**
   * The launch did not start a driver. {@code infrastructure} says the reason lies with this
   * instance (no runtime, no disk), not with the job, so the attempt is not counted.
   */
  synchronized void launchFailed(String error, boolean infrastructure) {
    this.launchError = error;
    this.infrastructureFailure = infrastructure;
    if (this.exit == null) {
      this.exit = new DriverExit(null, null, error);
    }
    wakeUp.run();
  }

  /**
   * Asks the driver to stop, once; the first reason wins. No reason is recorded when the driver has
   * already exited, or has reported that its application finished and is on its way out, so a run
   * that finished just before a cancel or its deadline keeps its true outcome (and its idempotency
   * key is not freed for a rerun of committed work). Fencing is the exception: a driver of an
   * instance without a lease must be gone, whatever it is doing.
   */
  synchronized boolean requestStop(StopReason reason, String by, Instant now) {
    if (stopReason != null || exit != null || (finished && reason != StopReason.FENCED)) {
      return false;
    }
    stopReason = reason;
    stoppedBy = by;
    stopRequestedAt = now;
    if (handle != null) {
      handle.requestStop();
    }
    return true;
  }

  /** Kills the driver if a stop was requested more than {@code grace} ago and it still runs. */
  synchronized void killIfOverdue(Instant now, java.time.Duration grace) {
    if (stopRequestedAt != null
        && exit == null
        && !killed
        && handle != null
        && !now.isBefore(stopRequestedAt.plus(grace))) {
      killed = true;
      handle.kill();
    }
  }

  /** Whether this copy of the run is still at this attempt, live, and owned by this instance. */
  boolean isCurrentIn(Run run) {
    return run != null
        && run.attempt() == attempt
        && (run.state() == RunState.LAUNCHING || run.state() == RunState.RUNNING)
        && ref.owner().equals(run.ownerInstance());
  }

  /**
   * Stops watching a run that is no longer this instance's: another instance adopted the same
   * cluster driver (leave it running, it is in good hands), or the run moved on without this
   * attempt (the driver must not run beside its successor, so it is killed).
   */
  synchronized void letGo(Run current) {
    boolean adoptedElsewhere =
        current != null
            && current.attempt() == attempt
            && (current.state() == RunState.LAUNCHING || current.state() == RunState.RUNNING)
            && !ref.owner().equals(current.ownerInstance());
    if (adoptedElsewhere && offHost) {
      detach();
    } else {
      killNow();
    }
  }

  /** Whether the driver outlives this instance, so a shutdown must leave it alone. */
  synchronized boolean survivesInstance() {
    return handle != null && handle.survivesInstance();
  }

  synchronized void detach() {
    if (handle != null) {
      handle.detach();
    }
  }

  synchronized void killNow() {
    if (handle != null && exit == null) {
      killed = true;
      handle.kill();
    }
  }

  synchronized Snapshot snapshot() {
    return new Snapshot(
        appId, driverId, running, exit, launchError, infrastructureFailure, stopReason, stoppedBy);
  }

  /** Ends the driver at once because this instance lost its lease; no-op for off-host drivers. */
  synchronized void fence(Instant now) {
    if (offHost || exit != null || fenced) {
      return;
    }
    fenced = true;
    if (stopReason == null || stopReason == StopReason.SHUTDOWN) {
      stopReason = StopReason.FENCED;
      stoppedBy = "system";
      stopRequestedAt = now;
    }
    killed = true;
    if (handle != null) {
      handle.kill();
    }
  }

  /** A consistent copy of the facts, for one pass of the loop. */
  record Snapshot(
      String appId,
      String driverId,
      boolean running,
      DriverExit exit,
      String launchError,
      boolean infrastructureFailure,
      StopReason stopReason,
      String stoppedBy) {}
}
