package io.sparkgate.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The heap flags are process-wide, so each case runs in a JVM of its own, started with the flags
 * under test, and reads back what {@link IdleHeap} left.
 */
class IdleHeapTest {

  @Test
  void aJvmOnItsDefaultsReturnsIdleHeap() throws Exception {
    assertThat(flagsAfter("10s", "-XX:+UseG1GC"))
        .isEqualTo("MinHeapFreeRatio=10 MaxHeapFreeRatio=30 G1PeriodicGCInterval=10000");
  }

  @Test
  void flagsOnTheCommandLineWin() throws Exception {
    assertThat(flagsAfter("10s", "-XX:+UseG1GC", "-XX:MaxHeapFreeRatio=50"))
        .isEqualTo("MinHeapFreeRatio=10 MaxHeapFreeRatio=50 G1PeriodicGCInterval=10000");
    assertThat(flagsAfter("10s", "-XX:+UseG1GC", "-XX:G1PeriodicGCInterval=60000"))
        .isEqualTo("MinHeapFreeRatio=10 MaxHeapFreeRatio=30 G1PeriodicGCInterval=60000");
    // A minimum above the service's maximum: the JVM would refuse that maximum, so it is kept.
    assertThat(flagsAfter("10s", "-XX:+UseG1GC", "-XX:MinHeapFreeRatio=50"))
        .isEqualTo("MinHeapFreeRatio=50 MaxHeapFreeRatio=70 G1PeriodicGCInterval=10000");
  }

  @Test
  void zeroOrAnotherCollectorLeavesTheJvmAlone() throws Exception {
    String defaults = "MinHeapFreeRatio=40 MaxHeapFreeRatio=70 G1PeriodicGCInterval=0";
    assertThat(flagsAfter("0s", "-XX:+UseG1GC")).isEqualTo(defaults);
    assertThat(flagsAfter("10s", "-XX:+UseSerialGC")).isEqualTo(defaults);
  }

  /** An idle JVM trims its C heap on the interval. */
  @Test
  void anIdleJvmTrimsItsCHeap() throws Exception {
    assertThat(flagsAfter("trim", "-XX:+UseG1GC")).startsWith("trimmed");
  }

  /** An operator's -XX:TrimNativeHeapInterval, even 0, replaces the service's trimming. */
  @Test
  void aTrimIntervalOnTheCommandLineWins() throws Exception {
    assertThat(flagsAfter("trimming", "-XX:+UseG1GC")).isEqualTo("trimming=true");
    assertThat(flagsAfter("trimming", "-XX:+UseG1GC", "-XX:TrimNativeHeapInterval=0"))
        .isEqualTo("trimming=false");
  }

  /** Runs {@link Probe} in a new JVM with the given options and returns what it printed. */
  private static String flagsAfter(String interval, String... jvmOptions)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(List.of(jvmOptions));
    command.addAll(
        List.of("-cp", System.getProperty("java.class.path"), Probe.class.getName(), interval));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(output).isZero();
    return output.lines().reduce((first, last) -> last).orElse("").strip();
  }

  /**
   * Applies the release for the interval given, then prints the three flags; with {@code trim},
   * waits for the first trim of an idle heap released every 100 ms.
   */
  public static final class Probe {
    public static void main(String[] args) {
      if (args[0].equals("trim")) {
        try (IdleHeap heap = new IdleHeap(Duration.ofMillis(100))) {
          await().atMost(Duration.ofSeconds(30)).until(() -> heap.trims() > 0);
        }
        System.out.println("trimmed");
        return;
      }
      if (args[0].equals("trimming")) {
        try (IdleHeap heap = new IdleHeap(Duration.ofSeconds(10))) {
          System.out.println("trimming=" + heap.trimsIdle());
        }
        return;
      }
      IdleHeap.apply(Duration.parse("PT" + args[0]));
      HotSpotDiagnosticMXBean vm =
          ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
      System.out.println(
          Stream.of("MinHeapFreeRatio", "MaxHeapFreeRatio", "G1PeriodicGCInterval")
              .map(flag -> flag + "=" + vm.getVMOption(flag).getValue())
              .collect(Collectors.joining(" ")));
    }
  }
}
