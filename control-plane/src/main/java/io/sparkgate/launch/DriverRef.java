package io.sparkgate.launch;

import java.util.UUID;

/** What is known of a launched driver that another instance may have to find again. */
public record DriverRef(
    UUID runId, int attempt, String master, String deployMode, String driverId) {}
