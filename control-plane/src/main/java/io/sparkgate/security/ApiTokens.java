package io.sparkgate.security;

import io.sparkgate.config.SparkgateProperties;
import io.sparkgate.support.RunSecrets;
import io.sparkgate.support.SecretFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The API tokens the service accepts, kept as SHA-256 hashes. Secure by default: with no tokens
 * configured, the first start creates an admin token in {@code <workDir>/admin.token}, readable by
 * its owner only, and logs where it is (never the token).
 */
@Component
public class ApiTokens {

  private static final Logger log = LoggerFactory.getLogger(ApiTokens.class);

  /** A token the service knows: its name, role and hash. */
  public record Known(String name, Role role, String sha256) {}

  private final List<Known> tokens = new ArrayList<>();

  public ApiTokens(SparkgateProperties properties) throws IOException {
    for (SparkgateProperties.Security.Token token : properties.security().tokens()) {
      tokens.add(new Known(token.name(), Role.of(token.role()), token.sha256()));
    }
    if (tokens.isEmpty()) {
      Path file = properties.workDir().resolve("admin.token").toAbsolutePath().normalize();
      tokens.add(new Known("admin", Role.ADMIN, RunSecrets.hash(SecretFiles.readOrCreate(file))));
      log.warn(
          "No API tokens are configured (sparkgate.security.tokens): using the admin token in {}"
              + " (readable by its owner only). Configure named tokens for real use.",
          file);
    }
  }

  /**
   * The token presented, if it is one of ours. Every configured hash is compared, each in constant
   * time, so the answer takes as long whichever token matched or none.
   */
  public Optional<Known> authenticate(String presented) {
    Known found = null;
    for (Known token : tokens) {
      if (RunSecrets.matches(presented, token.sha256()) && found == null) {
        found = token;
      }
    }
    return Optional.ofNullable(found);
  }
}
