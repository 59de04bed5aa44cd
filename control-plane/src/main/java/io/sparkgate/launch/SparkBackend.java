package io.sparkgate.launch;

/** Starts Spark applications and reports what happens to them: launch, observe, stop. */
public interface SparkBackend {

  /**
   * Starts one attempt. Facts about the application arrive at {@code observer}, ending with exactly
   * one {@link DriverObserver#onExit} call.
   *
   * @throws LaunchException if the application could not be started at all
   */
  DriverHandle launch(LaunchSpec spec, DriverObserver observer) throws LaunchException;

  /**
   * Watches again a driver that a dead instance launched, if the driver outlives instances (cluster
   * deploy mode). Empty when the attempt cannot be re-attached and must end LOST.
   */
  default java.util.Optional<DriverHandle> reattach(DriverRef driver, DriverObserver observer) {
    return java.util.Optional.empty();
  }

  /** Whether the backend can launch now (its runtime is present); for readiness. */
  boolean isAvailable();

  /** A line for health details: what runtime this backend uses. */
  String describe();
}
