package io.sparkgate.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.Stream;

/**
 * Secrets that tests see while the service generates them (its first admin token, per-attempt
 * metrics secrets), kept in target/test-secrets so that LogsHoldNoSecretsIT can look for them in
 * every log the build wrote. Test-only values of throwaway services.
 */
public final class TestSecrets {

  static final Path DIR = Path.of("target/test-secrets");

  private TestSecrets() {}

  public static synchronized void remember(String secret) {
    if (secret == null || secret.isBlank()) {
      return;
    }
    try {
      Files.createDirectories(DIR);
      Files.writeString(
          DIR.resolve("secrets-" + ProcessHandle.current().pid() + ".txt"),
          secret.strip() + "\n",
          StandardCharsets.UTF_8,
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every secret remembered by any test JVM of this build, and the fixed test tokens. */
  public static List<String> all() throws IOException {
    Stream<String> remembered = Stream.empty();
    if (Files.isDirectory(DIR)) {
      try (Stream<Path> files = Files.list(DIR)) {
        List<String> lines = new java.util.ArrayList<>();
        for (Path file : files.toList()) {
          lines.addAll(Files.readAllLines(file, StandardCharsets.UTF_8));
        }
        remembered = lines.stream();
      }
    }
    return Stream.concat(
            Stream.of(TestTokens.ADMIN, TestTokens.OPERATOR, TestTokens.VIEWER), remembered)
        .filter(s -> !s.isBlank())
        .distinct()
        .toList();
  }
}
