package io.sparkgate.supervise;

import io.sparkgate.launch.DriverExit;
import io.sparkgate.launch.DriverHandle;
import io.sparkgate.launch.DriverObserver;
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

  // Written only by the supervision loop.
  boolean runningRecorded;
  boolean appIdRecorded;
  boolean driverIdRecorded;

  ActiveAttempt(UUID runId, int attempt, String job, Instant claimedAt, Runnable wakeUp) {
    this.runId = runId;
    this.attempt = attempt;
    this.job = job;
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
  public synchronized void onExit(DriverExit driverExit) {
    if (this.exit == null) {
      this.exit = driverExit;
    }
    wakeUp.run();
  }

  synchronized void launched(DriverHandle driverHandle) {
    this.handle = driverHandle;
    if (stopReason != null) {
      // A stop was asked for while the launch was in flight.
      driverHandle.requestStop();
    }
  }

  synchronized void launchFailed(String error) {
    this.launchError = error;
    if (this.exit == null) {
      this.exit = new DriverExit(null, null, error);
    }
    wakeUp.run();
  }

  /**
   * Asks the driver to stop, once; the first reason wins. No reason is recorded when the driver has
   * already exited, so a run that finished just before a cancel keeps its true outcome.
   */
  synchronized boolean requestStop(StopReason reason, String by, Instant now) {
    if (stopReason != null || exit != null) {
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
    return new Snapshot(appId, driverId, running, exit, launchError, stopReason, stoppedBy);
  }

  /** A consistent copy of the facts, for one pass of the loop. */
  record Snapshot(
      String appId,
      String driverId,
      boolean running,
      DriverExit exit,
      String launchError,
      StopReason stopReason,
      String stoppedBy) {}
}
