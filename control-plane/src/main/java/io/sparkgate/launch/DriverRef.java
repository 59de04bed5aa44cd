package io.sparkgate.launch;

import java.util.UUID;

/**
 * What is known of a launched driver that another instance may have to find again.
 *
 * @param logPath the attempt's log, where a cluster driver's output is copied, if known
 */
public record DriverRef(
    UUID runId, int attempt, String master, String deployMode, String driverId, String logPath) {}
