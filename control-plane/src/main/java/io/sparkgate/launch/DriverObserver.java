package io.sparkgate.launch;

/**
 * Receives facts about a launched application. Implementations only record facts; deciding what
 * they mean for the run happens in the supervision loop. Calls may come from any thread.
 */
public interface DriverObserver {

  /** The application has an id (local-..., app-..., application_...). */
  void onAppId(String sparkAppId);

  /** A cluster manager accepted the driver under this id (standalone cluster mode). */
  void onDriverId(String driverId);

  /** The driver reports that the application is running. */
  void onRunning();

  /**
   * The application reported that it finished (its work is done and the driver is exiting); the
   * exit that follows still decides the outcome.
   */
  default void onFinished() {}

  /** The driver (or submission client) has exited; called once. */
  void onExit(DriverExit exit);
}
