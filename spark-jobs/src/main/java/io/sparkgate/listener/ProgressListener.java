package io.sparkgate.listener;

import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.apache.spark.Resubmitted$;
import org.apache.spark.Success$;
import org.apache.spark.TaskCommitDenied;
import org.apache.spark.TaskEndReason;
import org.apache.spark.TaskKilled;
import org.apache.spark.executor.TaskMetrics;
import org.apache.spark.scheduler.JobFailed;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerApplicationEnd;
import org.apache.spark.scheduler.SparkListenerJobEnd;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerStageCompleted;
import org.apache.spark.scheduler.SparkListenerStageSubmitted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.SparkListenerTaskStart;
import org.apache.spark.scheduler.StageInfo;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Counts what an application did, from Spark's listener bus: jobs, stages and tasks (total, done,
 * failed, running), rows and bytes read and written, and the resource usage of its tasks (the
 * figures managed Spark services bill by). Every method runs on the bus's one thread; snapshots are
 * taken from the reporter's, hence the lock.
 */
final class ProgressListener extends SparkListener {

  private final Map<Integer, Set<Integer>> stagesOfJob = new HashMap<>();

  /** Each stage of a started job by id: its latest attempt's status (a retry replaces it). */
  private final Map<Integer, StageStatus> stages = new HashMap<>();

  private Runnable onEnd = () -> {};
  private long version;

  private int jobsTotal;
  private int jobsCompleted;
  private int jobsFailed;
  private int stagesSkipped;
  private long tasksTotal;
  private long tasksCompleted;
  private long tasksFailed;
  private long tasksKilled;
  private long tasksActive;

  private long executorCpuTimeNs;
  private long executorRunTimeMs;
  private long jvmGcTimeMs;
  private long peakExecutionMemory;
  private long inputBytes;
  private long inputRows;
  private long outputBytes;
  private long outputRows;
  private long shuffleReadBytes;
  private long shuffleWriteBytes;
  private long memorySpilled;
  private long diskSpilled;

  /** Runs once, on the bus's thread, when the application ends. */
  void onEnd(Runnable action) {
    this.onEnd = action;
  }

  private enum StageStatus {
    PENDING,
    ACTIVE,
    COMPLETED,
    FAILED
  }

  @Override
  public synchronized void onJobStart(SparkListenerJobStart jobStart) {
    jobsTotal++;
    Set<Integer> ofJob = new HashSet<>();
    for (StageInfo stage : CollectionConverters.asJava(jobStart.stageInfos())) {
      ofJob.add(stage.stageId());
      // A stage shared with an earlier job (a reused shuffle) is counted once.
      stages.putIfAbsent(stage.stageId(), StageStatus.PENDING);
    }
    stagesOfJob.put(jobStart.jobId(), ofJob);
    version++;
  }

  @Override
  public synchronized void onJobEnd(SparkListenerJobEnd jobEnd) {
    if (jobEnd.jobResult() instanceof JobFailed) {
      jobsFailed++;
    } else {
      jobsCompleted++;
    }
    Set<Integer> ofJob = stagesOfJob.remove(jobEnd.jobId());
    if (ofJob != null) {
      // Stages of the job that never ran were skipped (their output was already there).
      for (Integer stage : ofJob) {
        if (stages.get(stage) == StageStatus.PENDING) {
          stages.remove(stage);
          stagesSkipped++;
        }
      }
    }
    version++;
  }

  @Override
  public synchronized void onStageSubmitted(SparkListenerStageSubmitted submitted) {
    StageInfo stage = submitted.stageInfo();
    stages.put(stage.stageId(), StageStatus.ACTIVE);
    tasksTotal += stage.numTasks();
    version++;
  }

  @Override
  public synchronized void onStageCompleted(SparkListenerStageCompleted completed) {
    stages.put(
        completed.stageInfo().stageId(),
        completed.stageInfo().failureReason().isDefined()
            ? StageStatus.FAILED
            : StageStatus.COMPLETED);
    version++;
  }

  @Override
  public synchronized void onTaskStart(SparkListenerTaskStart taskStart) {
    tasksActive++;
    version++;
  }

  @Override
  public synchronized void onTaskEnd(SparkListenerTaskEnd taskEnd) {
    TaskEndReason reason = taskEnd.reason();
    if (reason instanceof Resubmitted$) {
      // A task that had succeeded, announced again because its executor's output was lost: it
      // was counted then, and it is not running now.
      version++;
      return;
    }
    tasksActive = Math.max(0, tasksActive - 1);
    if (reason instanceof Success$) {
      tasksCompleted++;
    } else if (reason instanceof TaskKilled || reason instanceof TaskCommitDenied) {
      tasksKilled++;
    } else {
      tasksFailed++;
    }
    TaskMetrics metrics = taskEnd.taskMetrics();
    if (metrics != null) {
      executorCpuTimeNs += metrics.executorCpuTime();
      executorRunTimeMs += metrics.executorRunTime();
      jvmGcTimeMs += metrics.jvmGCTime();
      peakExecutionMemory = Math.max(peakExecutionMemory, metrics.peakExecutionMemory());
      inputBytes += metrics.inputMetrics().bytesRead();
      inputRows += metrics.inputMetrics().recordsRead();
      outputBytes += metrics.outputMetrics().bytesWritten();
      outputRows += metrics.outputMetrics().recordsWritten();
      shuffleReadBytes += metrics.shuffleReadMetrics().totalBytesRead();
      shuffleWriteBytes += metrics.shuffleWriteMetrics().bytesWritten();
      memorySpilled += metrics.memoryBytesSpilled();
      diskSpilled += metrics.diskBytesSpilled();
    }
    version++;
  }

  @Override
  public void onApplicationEnd(SparkListenerApplicationEnd applicationEnd) {
    onEnd.run();
  }

  /** Changes whenever a count does. */
  synchronized long version() {
    return version;
  }

  /** Jobs, stages and tasks, rows and bytes in and out, as the run's {@code progress}. */
  synchronized Map<String, Object> progress() {
    Map<String, Object> jobs = new LinkedHashMap<>();
    jobs.put("total", jobsTotal);
    jobs.put("completed", jobsCompleted);
    jobs.put("failed", jobsFailed);
    jobs.put("active", jobsTotal - jobsCompleted - jobsFailed);
    Map<StageStatus, Integer> byStatus = new EnumMap<>(StageStatus.class);
    stages.values().forEach(s -> byStatus.merge(s, 1, Integer::sum));
    Map<String, Object> stageCounts = new LinkedHashMap<>();
    stageCounts.put("total", stages.size());
    stageCounts.put("completed", byStatus.getOrDefault(StageStatus.COMPLETED, 0));
    stageCounts.put("failed", byStatus.getOrDefault(StageStatus.FAILED, 0));
    stageCounts.put("skipped", stagesSkipped);
    stageCounts.put("active", byStatus.getOrDefault(StageStatus.ACTIVE, 0));
    Map<String, Object> tasks = new LinkedHashMap<>();
    tasks.put("total", tasksTotal);
    tasks.put("completed", tasksCompleted);
    tasks.put("failed", tasksFailed);
    tasks.put("killed", tasksKilled);
    tasks.put("active", tasksActive);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("jobs", jobs);
    out.put("stages", stageCounts);
    out.put("tasks", tasks);
    out.put("input", Map.of("rows", inputRows, "bytes", inputBytes));
    out.put("output", Map.of("rows", outputRows, "bytes", outputBytes));
    return out;
  }

  /** What the application's tasks used so far, as the attempt's {@code resources}. */
  synchronized Map<String, Object> resources() {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("executorCpuTimeMs", executorCpuTimeNs / 1_000_000);
    out.put("executorRunTimeMs", executorRunTimeMs);
    out.put("jvmGcTimeMs", jvmGcTimeMs);
    out.put("peakExecutionMemoryBytes", peakExecutionMemory);
    out.put("inputBytes", inputBytes);
    out.put("outputBytes", outputBytes);
    out.put("shuffleReadBytes", shuffleReadBytes);
    out.put("shuffleWriteBytes", shuffleWriteBytes);
    out.put("memorySpilledBytes", memorySpilled);
    out.put("diskSpilledBytes", diskSpilled);
    out.put("tasks", tasksCompleted + tasksFailed + tasksKilled);
    out.put("failedTasks", tasksFailed);
    return out;
  }
}
