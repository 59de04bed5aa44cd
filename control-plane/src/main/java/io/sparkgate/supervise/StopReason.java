package io.sparkgate.supervise;

/** Why Sparkgate stopped a driver; decides the attempt's outcome over the driver's exit code. */
enum StopReason {
  CANCEL,
  TIMEOUT,
  SHUTDOWN,
  /** This instance lost its lease: its driver must be gone before another instance takes over. */
  FENCED
}
