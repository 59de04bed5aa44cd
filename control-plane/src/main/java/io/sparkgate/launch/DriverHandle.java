package io.sparkgate.launch;

import java.util.OptionalLong;

/** Control over one launched application. */
public interface DriverHandle {

  /** Asks the application to stop; it may ignore the request, so follow up with {@link #kill}. */
  void requestStop();

  /** Ends the driver process (and its children) at once. Safe to call more than once. */
  void kill();

  /** The driver or submission client process id, when the backend started a local process. */
  OptionalLong pid();

  /**
   * Whether the driver outlives this instance (cluster deploy mode): then a shutdown only stops
   * watching it, and another instance adopts it.
   */
  default boolean survivesInstance() {
    return false;
  }

  /** Stops watching the driver without touching it. */
  default void detach() {}
}
