package io.sparkgate.launch;

/**
 * An application's own view of itself, independent of Spark's classes. {@link SparkLauncherBackend}
 * maps Spark's {@code SparkAppHandle.State} to it, in one place.
 */
public enum AppState {
  STARTING,
  RUNNING,
  FINISHED,
  FAILED,
  KILLED,
  LOST;

  public boolean isFinal() {
    return switch (this) {
      case STARTING, RUNNING -> false;
      case FINISHED, FAILED, KILLED, LOST -> true;
    };
  }
}
