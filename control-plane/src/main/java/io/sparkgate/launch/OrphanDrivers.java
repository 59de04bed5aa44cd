package io.sparkgate.launch;

import java.util.List;
import java.util.UUID;

/**
 * Finds and kills driver processes on this host that belong to a run, by the run id every
 * application carries in its command line ({@code spark.sparkgate.runId=<id>}). Used when this
 * instance takes over the runs of a dead instance on the same host, so that a driver that outlived
 * its instance (a Spark home without parent-death signals) never runs beside its successor.
 */
public final class OrphanDrivers {

  private OrphanDrivers() {}

  public static List<ProcessHandle> find(UUID runId) {
    String tag = LaunchSpec.RUN_ID_CONF + "=" + runId;
    return ProcessHandle.allProcesses()
        .filter(p -> p.pid() != ProcessHandle.current().pid())
        .filter(p -> p.info().commandLine().map(c -> c.contains(tag)).orElse(false))
        .toList();
  }

  /** Kills every process of the run on this host; returns how many there were. */
  public static int kill(UUID runId) {
    List<ProcessHandle> found = find(runId);
    for (ProcessHandle process : found) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
    }
    return found.size();
  }
}
