package io.sparkgate.security.web;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.sparkgate.security.ManagedToken;
import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Instant;
import java.util.UUID;

/** A managed API token as the API shows it: never its secret. Unset times are left out. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TokenView(
    UUID id,
    String name,
    @Schema(allowableValues = {"viewer", "operator", "admin"}) String role,
    @Schema(
            allowableValues = {"active", "expired", "revoked"},
            description = "At the time of the answer")
        String state,
    String createdBy,
    Instant createdAt,
    @Schema(description = "Absent for a token that does not expire") Instant expiresAt,
    @Schema(description = "Recorded at most once a minute") Instant lastUsedAt,
    Instant revokedAt,
    String revokedBy) {

  static TokenView of(ManagedToken token, Instant now) {
    String state =
        token.revokedAt() != null ? "revoked" : token.activeAt(now) ? "active" : "expired";
    return new TokenView(
        token.id(),
        token.name(),
        token.role().id(),
        state,
        token.createdBy(),
        token.createdAt(),
        token.expiresAt(),
        token.lastUsedAt(),
        token.revokedAt(),
        token.revokedBy());
  }
}
