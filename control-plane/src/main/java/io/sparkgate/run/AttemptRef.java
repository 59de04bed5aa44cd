package io.sparkgate.run;

import java.util.UUID;

/**
 * The attempt a write may change: its run, its number and the instance that owns it. Every write
 * about an attempt names one, so a late fact about attempt 1 (an exit seen after the instance was
 * declared dead and the run moved on) can never change attempt 2, and an instance whose run was
 * taken over cannot change it any more.
 */
public record AttemptRef(UUID runId, int attempt, String owner) {}
