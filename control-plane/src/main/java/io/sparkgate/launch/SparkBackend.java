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

  /** Whether the backend can launch now (its runtime is present); for readiness. */
  boolean isAvailable();

  /** A line for health details: what runtime this backend uses. */
  String describe();
}
