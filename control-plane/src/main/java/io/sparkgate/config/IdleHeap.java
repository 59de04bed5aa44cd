package io.sparkgate.config;

import com.sun.management.HotSpotDiagnosticMXBean;
import com.sun.management.VMOption;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.ObjectName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * Gives the memory an idle service does not use back to the operating system. The JVM sizes its
 * heap from the machine (a quarter of its memory at most, a sixty-fourth at first) and G1, left
 * alone, keeps what start-up made it commit: on a 24 GiB machine some 220 MB committed for 30 MB in
 * use. With {@code sparkgate.memory.idle-heap-release} set, after that long without a collection G1
 * runs a concurrent one (JEP 346), and after each it keeps at most 30 % of the heap free (instead
 * of 70 %), so an idle service shrinks to what it holds. Under load nothing changes: collections
 * happen far more often than the interval, and G1 still grows the heap by its pause-time goal.
 *
 * <p>The C heap is the other half: glibc keeps what the JIT compilers and class loading freed
 * during start-up (some 45 MB here). On the same interval, when at most one collection ran since
 * the last look (the service is idle), the service asks the JVM to trim it ({@code
 * System.trim_native_heap}, as {@code jcmd} does).
 *
 * <p>The heap flags are manageable flags, set at run time only where the command line left them at
 * their defaults: an operator's {@code -XX:} flags win, and {@code -XX:TrimNativeHeapInterval} (any
 * value) replaces the trimming. With other collectors than G1 the heap flags are left alone and
 * only the trimming runs; a JVM without the trim command has none, and on C libraries other than
 * glibc the command does nothing.
 */
@Component
public class IdleHeap implements AutoCloseable {

  private static final int MAX_FREE_PERCENT = 30;
  private static final int MIN_FREE_PERCENT = 10;

  private static final Logger log = LoggerFactory.getLogger(IdleHeap.class);
  private static final String DIAGNOSTIC_COMMANDS = "com.sun.management:type=DiagnosticCommand";
  private static final String TRIM = "systemTrimNativeHeap";

  private final ScheduledExecutorService trimmer;
  private final AtomicLong trims = new AtomicLong();
  private long collectionsAtLastLook = collections();

  @Autowired
  public IdleHeap(SparkgateProperties properties) {
    this(properties.memory().idleHeapRelease());
  }

  IdleHeap(Duration interval) {
    apply(interval);
    if (interval.isZero() || !canTrim()) {
      trimmer = null;
      return;
    }
    trimmer =
        Executors.newSingleThreadScheduledExecutor(
            task -> {
              Thread thread = new Thread(task, "idle-heap-trim");
              thread.setDaemon(true);
              return thread;
            });
    long millis = interval.toMillis();
    trimmer.scheduleWithFixedDelay(this::trimIfIdle, millis, millis, TimeUnit.MILLISECONDS);
  }

  /** Whether this JVM trims its C heap when idle. */
  boolean trimsIdle() {
    return trimmer != null;
  }

  /** How often the C heap was trimmed so far. */
  long trims() {
    return trims.get();
  }

  private void trimIfIdle() {
    long collections = collections();
    boolean idle = collections - collectionsAtLastLook <= 1;
    collectionsAtLastLook = collections;
    if (!idle) {
      return;
    }
    try {
      Object report =
          ManagementFactory.getPlatformMBeanServer()
              .invoke(
                  new ObjectName(DIAGNOSTIC_COMMANDS),
                  TRIM,
                  new Object[] {new String[0]},
                  new String[] {String[].class.getName()});
      trims.incrementAndGet();
      log.trace("{}", report);
    } catch (Exception e) {
      log.debug("Could not trim the C heap", e);
    }
  }

  /** Whether this JVM has the trim command and no trimming of its own was asked for. */
  private static boolean canTrim() {
    try {
      HotSpotDiagnosticMXBean vm =
          ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
      if (vm.getVMOption("TrimNativeHeapInterval").getOrigin() != VMOption.Origin.DEFAULT) {
        return false;
      }
    } catch (IllegalArgumentException e) {
      // No such flag on this JVM: the command below decides.
    }
    try {
      return Arrays.stream(
              ManagementFactory.getPlatformMBeanServer()
                  .getMBeanInfo(new ObjectName(DIAGNOSTIC_COMMANDS))
                  .getOperations())
          .anyMatch(operation -> operation.getName().equals(TRIM));
    } catch (Exception e) {
      return false;
    }
  }

  private static long collections() {
    // Newer JVMs add a bean for G1's concurrent cycles, which would count one idle cycle thrice.
    return ManagementFactory.getGarbageCollectorMXBeans().stream()
        .filter(collector -> !collector.getName().contains("Concurrent"))
        .mapToLong(GarbageCollectorMXBean::getCollectionCount)
        .filter(count -> count > 0)
        .sum();
  }

  @Override
  public void close() {
    if (trimmer != null) {
      trimmer.shutdownNow();
    }
  }

  /** Sets the heap flags for a release after {@code interval} idle; zero sets nothing. */
  static void apply(Duration interval) {
    if (interval.isZero() || !usesG1()) {
      return;
    }
    HotSpotDiagnosticMXBean vm = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
    List<String> set = new ArrayList<>();
    // The minimum first: the JVM refuses a maximum below the minimum.
    setIfDefault(vm, "MinHeapFreeRatio", MIN_FREE_PERCENT, set);
    setIfDefault(vm, "MaxHeapFreeRatio", MAX_FREE_PERCENT, set);
    setIfDefault(vm, "G1PeriodicGCInterval", interval.toMillis(), set);
    if (!set.isEmpty()) {
      log.debug("Heap release when idle: {}", set);
    }
  }

  private static boolean usesG1() {
    return ManagementFactory.getGarbageCollectorMXBeans().stream()
        .map(GarbageCollectorMXBean::getName)
        .anyMatch(name -> name.startsWith("G1 "));
  }

  private static void setIfDefault(
      HotSpotDiagnosticMXBean vm, String flag, long value, List<String> set) {
    try {
      VMOption option = vm.getVMOption(flag);
      if (option.getOrigin() != VMOption.Origin.DEFAULT) {
        return;
      }
      vm.setVMOption(flag, Long.toString(value));
      set.add(flag + "=" + value);
    } catch (IllegalArgumentException e) {
      // Not a flag of this JVM, or a value it refuses (a maximum below a minimum set by hand).
      log.debug("Left -XX:{} as it is: {}", flag, e.getMessage());
    }
  }
}
