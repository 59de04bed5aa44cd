package io.sparkgate.config;

import com.sun.management.HotSpotDiagnosticMXBean;
import com.sun.management.VMOption;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Gives the heap an idle service does not use back to the operating system. The JVM sizes its heap
 * from the machine (a quarter of its memory at most, a sixty-fourth at first) and G1, left alone,
 * keeps what start-up made it commit: on a 24 GiB machine some 160 MB committed for 50 MB in use.
 * With {@code sparkgate.memory.idle-heap-release} set, after that long without a collection G1 runs
 * a concurrent one (JEP 346), and after each it keeps at most 30 % of the heap free (instead of 70
 * %), so an idle service shrinks to what it holds. Under load nothing changes: collections happen
 * far more often than the interval, and G1 still grows the heap by its pause-time goal.
 *
 * <p>These are manageable flags, set at run time only where the command line left them at their
 * defaults: an operator's {@code -XX:} flags win. Other collectors than G1 are left alone.
 */
@Component
public class IdleHeap {

  static final int MAX_FREE_PERCENT = 30;
  static final int MIN_FREE_PERCENT = 10;

  private static final Logger log = LoggerFactory.getLogger(IdleHeap.class);

  public IdleHeap(SparkgateProperties properties) {
    apply(properties.memory().idleHeapRelease());
  }

  /** Sets the flags for a release after {@code interval} idle; zero sets nothing. */
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
