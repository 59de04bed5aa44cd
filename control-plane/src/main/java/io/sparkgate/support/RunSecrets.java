package io.sparkgate.support;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/** Per-attempt secrets: generated at launch, stored only as a hash, compared in constant time. */
public final class RunSecrets {

  private static final SecureRandom RANDOM = new SecureRandom();

  /**
   * Cloned for each hash: a clone costs a copy of the digest's state, where getInstance searches
   * the security providers on every call (every authenticated request hashes its token).
   */
  private static final MessageDigest SHA_256 = sha256();

  private RunSecrets() {}

  /** 256 random bits, URL-safe. */
  public static String newToken() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** The SHA-256 of the text's UTF-8 bytes, in hex; also {@link Json#hash}'s. */
  public static String hash(String token) {
    MessageDigest digest;
    try {
      digest = (MessageDigest) SHA_256.clone();
    } catch (CloneNotSupportedException e) {
      digest = sha256();
    }
    return HexFormat.of().formatHex(digest.digest(token.getBytes(StandardCharsets.UTF_8)));
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is always available", e);
    }
  }

  /** Whether the token hashes to the expected hash, in time independent of where they differ. */
  public static boolean matches(String token, String expectedHash) {
    return token != null
        && expectedHash != null
        && MessageDigest.isEqual(
            hash(token).getBytes(StandardCharsets.UTF_8),
            expectedHash.getBytes(StandardCharsets.UTF_8));
  }
}
