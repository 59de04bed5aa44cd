package io.sparkgate.security;

import java.time.Instant;
import java.util.UUID;

/**
 * An API token created through the API. Its secret is never kept: only its SHA-256, to recognise
 * it.
 */
public record ManagedToken(
    UUID id,
    String name,
    Role role,
    String createdBy,
    Instant createdAt,
    Instant expiresAt,
    Instant lastUsedAt,
    Instant revokedAt,
    String revokedBy) {

  /** Whether the token may authenticate at this instant: not revoked and not expired. */
  public boolean activeAt(Instant now) {
    return revokedAt == null && (expiresAt == null || now.isBefore(expiresAt));
  }
}
