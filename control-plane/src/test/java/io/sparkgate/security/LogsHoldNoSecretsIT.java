package io.sparkgate.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.sparkgate.launch.LaunchSpec;
import io.sparkgate.testing.TestSecrets;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Runs after every other test of the build (its own failsafe execution, post-integration-test) and
 * reads every log they left: the tests' own output (surefire and failsafe redirect it to files),
 * the service processes' logs and the Spark drivers' logs. No API token (configured, generated or
 * managed), no JWT, no embedded-database password and no metrics secret may appear in any of them.
 */
class LogsHoldNoSecretsIT {

  /**
   * A metrics secret printed with its name: the driver's environment variable (say, a dump of a
   * process's environment), or the Spark conf key that earlier versions passed it in. Catches the
   * secrets of runs whose tests never saw them; those they saw are looked for by value.
   */
  private static final Pattern NAMED_METRICS_SECRET =
      Pattern.compile(
          "(?:"
              + Pattern.quote(LaunchSpec.METRICS_TOKEN_ENV)
              + "|spark\\.sparkgate\\.metricsToken)[=:\\s\"',]+([A-Za-z0-9_-]{43})");

  /** Any managed API token, remembered by a test or not. */
  private static final Pattern MANAGED_TOKEN = Pattern.compile("sgt_[A-Za-z0-9_-]{43}");

  /** Any signed JWT (header, claims and signature, each base64url of JSON or bytes). */
  private static final Pattern JWT =
      Pattern.compile("eyJ[\\w-]{10,}\\.eyJ[\\w-]{10,}\\.[\\w-]{20,}");

  @Test
  void noLogContainsAToken() throws IOException {
    List<String> secrets = TestSecrets.all();
    List<Path> logs;
    try (Stream<Path> files = Files.walk(Path.of("target"))) {
      logs = files.filter(Files::isRegularFile).filter(LogsHoldNoSecretsIT::isLog).toList();
    }
    long bytes = 0;
    boolean sawServiceStart = false;
    boolean sawDriverLog = false;
    List<String> leaks = new ArrayList<>();
    for (Path log : logs) {
      String text = new String(Files.readAllBytes(log), StandardCharsets.UTF_8);
      bytes += text.length();
      sawServiceStart |= text.contains("Started SparkgateApplication");
      sawDriverLog |= log.getFileName().toString().equals("driver.log");
      for (String secret : secrets) {
        if (text.contains(secret)) {
          leaks.add(log + " contains a token ending in " + secret.substring(secret.length() - 4));
        }
      }
      Matcher m = NAMED_METRICS_SECRET.matcher(text);
      if (m.find()) {
        leaks.add(log + " contains a metrics secret after its name");
      }
      if (MANAGED_TOKEN.matcher(text).find()) {
        leaks.add(log + " contains a managed API token");
      }
      if (JWT.matcher(text).find()) {
        leaks.add(log + " contains a JWT");
      }
    }
    // The scan saw what it is meant to see: the suite's logs, with services and Spark drivers.
    assertThat(secrets).hasSizeGreaterThan(4);
    // Managed tokens and JWTs were used by the tests, so the scan looks for them too.
    assertThat(secrets).anyMatch(s -> s.startsWith("sgt_")).anyMatch(s -> s.startsWith("eyJ"));
    assertThat(logs).hasSizeGreaterThan(20);
    assertThat(bytes).isGreaterThan(1_000_000);
    assertThat(sawServiceStart).isTrue();
    assertThat(sawDriverLog).isTrue();
    assertThat(leaks).isEmpty();
    System.out.printf(
        "Scanned %d log files (%d MB) for %d secrets: none found%n",
        logs.size(), bytes >> 20, secrets.size());
  }

  private static boolean isLog(Path file) {
    String path = file.toString();
    if (path.contains("/postgres/") || path.contains("/test-secrets/")) {
      return false;
    }
    String name = file.getFileName().toString();
    return name.endsWith(".log")
        || name.endsWith("-output.txt")
        || name.equals("stdout")
        || name.equals("stderr");
  }
}
