package io.sparkgate.security;

import io.sparkgate.error.ErrorKind;
import io.sparkgate.error.SparkgateException;
import io.sparkgate.error.SparkgateException.Violation;
import io.sparkgate.support.RunSecrets;
import io.sparkgate.support.Ticker;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;

/**
 * API tokens an admin creates, lists and revokes at run time. The secret is shown once, at
 * creation; PostgreSQL keeps its SHA-256. A token is looked up by that hash and the answer is
 * trusted for at most {@link #FRESHNESS}, so a revocation or an expiry on any instance is in force
 * on every instance within a second, with one indexed lookup per token and half-second rather than
 * per request.
 */
@Service
public class ManagedTokens {

  /** Every managed token starts with this, so a secret scanner can spot one in a leak. */
  public static final String PREFIX = "sgt_";

  /** How long a lookup is trusted: half of the one second a revocation may take to apply. */
  static final Duration FRESHNESS = Duration.ofMillis(500);

  static final Duration MAX_LIFETIME = Duration.ofDays(3 * 366);

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.@-]{1,64}");
  private static final Pattern ROLE = Pattern.compile("viewer|operator|admin");
  private static final int MAX_CACHED = 10_000;
  private static final Logger log = LoggerFactory.getLogger(ManagedTokens.class);

  /** A new token: what is stored about it, and the secret, which is never seen again. */
  public record Created(ManagedToken token, String secret) {}

  private record Lookup(ManagedToken token, long atNanos) {}

  private final TokenRepository tokens;
  private final Clock clock;
  private final Ticker ticker;
  private final Map<String, Lookup> recent = new ConcurrentHashMap<>();

  public ManagedTokens(TokenRepository tokens, Clock clock, Ticker ticker) {
    this.tokens = tokens;
    this.clock = clock;
    this.ticker = ticker;
  }

  public Created create(String name, String role, String expiry, String actor) {
    Instant now = now();
    List<Violation> violations = new ArrayList<>();
    Instant expiresAt = null;
    if (expiry != null) {
      try {
        expiresAt = OffsetDateTime.parse(expiry).toInstant();
      } catch (DateTimeParseException e) {
        violations.add(
            new Violation("expiresAt", "must be an RFC 3339 date-time, e.g. 2027-06-30T00:00:00Z"));
      }
    }
    if (name == null || !NAME.matcher(name).matches()) {
      violations.add(new Violation("name", "1 to 64 letters, digits and '_', '.', '@', '-'"));
    }
    if (role == null || !ROLE.matcher(role).matches()) {
      violations.add(new Violation("role", "must be viewer, operator or admin"));
    }
    if (expiresAt != null && !expiresAt.isAfter(now)) {
      violations.add(new Violation("expiresAt", "must be in the future"));
    } else if (expiresAt != null && expiresAt.isAfter(now.plus(MAX_LIFETIME))) {
      violations.add(new Violation("expiresAt", "must be at most three years ahead"));
    }
    if (!violations.isEmpty()) {
      throw SparkgateException.withViolations(
          ErrorKind.INVALID_REQUEST, "The token request is not valid.", violations);
    }
    String secret = PREFIX + RunSecrets.newToken();
    ManagedToken token =
        new ManagedToken(
            UUID.randomUUID(),
            name,
            Role.of(role),
            actor,
            now,
            expiresAt == null ? null : expiresAt.truncatedTo(ChronoUnit.MICROS),
            null,
            null,
            null);
    tokens.insert(token, RunSecrets.hash(secret));
    log.info(
        "API token {} ({}, {}) created by {}",
        token.id(),
        name,
        role,
        actor + (expiresAt == null ? "" : ", expires " + token.expiresAt()));
    return new Created(token, secret);
  }

  public List<ManagedToken> list() {
    return tokens.findAll();
  }

  public ManagedToken get(UUID id) {
    return tokens
        .find(id)
        .orElseThrow(
            () -> new SparkgateException(ErrorKind.TOKEN_NOT_FOUND, "No API token " + id + "."));
  }

  /**
   * Revokes a token; revoking it again changes nothing (the first revocation's actor is kept). On
   * this instance it is refused at once, on the others within {@link #FRESHNESS}.
   */
  public ManagedToken revoke(UUID id, String actor) {
    get(id);
    if (tokens.revoke(id, actor, now())) {
      log.info("API token {} revoked by {}", id, actor);
    }
    recent.clear();
    return get(id);
  }

  /**
   * The managed token behind a presented secret, active or not (the caller tells the client why an
   * inactive one is refused); empty when the secret is no managed token.
   */
  public Optional<ManagedToken> lookup(String secret) {
    if (secret == null || !secret.startsWith(PREFIX)) {
      return Optional.empty();
    }
    String hash = RunSecrets.hash(secret);
    long nowNanos = ticker.nanos();
    Lookup cached = recent.get(hash);
    if (cached != null && nowNanos - cached.atNanos() < FRESHNESS.toNanos()) {
      return Optional.of(cached.token());
    }
    Optional<ManagedToken> found = tokens.findByHash(hash);
    if (found.isEmpty()) {
      recent.remove(hash);
      return found;
    }
    ManagedToken token = found.get();
    Instant now = now();
    if (token.activeAt(now)
        && (token.lastUsedAt() == null || token.lastUsedAt().isBefore(now.minusSeconds(60)))) {
      tokens.touch(token.id(), now);
    }
    if (recent.size() >= MAX_CACHED) {
      recent.clear();
    }
    recent.put(hash, new Lookup(token, nowNanos));
    return found;
  }

  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MICROS);
  }
}
