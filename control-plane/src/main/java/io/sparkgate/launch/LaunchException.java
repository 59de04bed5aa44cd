package io.sparkgate.launch;

/** An application could not be started. */
public class LaunchException extends Exception {

  private static final long serialVersionUID = 1L;

  public LaunchException(String message, Throwable cause) {
    super(message, cause);
  }
}
