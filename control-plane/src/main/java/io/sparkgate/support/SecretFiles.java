package io.sparkgate.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Secrets the service generates for itself and keeps in files that only their owner may read or
 * write (mode 0600): created on first use, the same secret on every later start.
 */
public final class SecretFiles {

  private static final FileAttribute<Set<PosixFilePermission>> OWNER_ONLY =
      PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));

  private SecretFiles() {}

  /**
   * The secret in {@code file}, or a new random one ({@link RunSecrets#newToken()}) saved there.
   */
  public static String readOrCreate(Path file) throws IOException {
    if (Files.exists(file)) {
      return Files.readString(file).strip();
    }
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    String secret = RunSecrets.newToken();
    // Written aside and moved into place, so that a crash never leaves an empty secret behind.
    Path partial = Files.createTempFile(dir, "." + file.getFileName(), ".partial", OWNER_ONLY);
    try {
      Files.writeString(partial, secret + "\n");
      Files.move(partial, file, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(partial);
    }
    return secret;
  }
}
