package io.sparkgate.security;

import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.springframework.dao.DataAccessException;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.authentication.AuthenticationServiceException;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.oauth2.server.resource.InvalidBearerTokenException;
import org.springframework.security.oauth2.server.resource.authentication.BearerTokenAuthenticationToken;

/**
 * Authenticates a bearer token that is one of ours: a configured token (by its hash) or a managed
 * one (active: neither revoked nor expired). The principal's name is the token's name, the actor
 * recorded for what it does.
 */
public final class ApiTokenAuthenticationProvider implements AuthenticationProvider {

  private final ApiTokens configured;
  private final ManagedTokens managed;
  private final Clock clock;

  public ApiTokenAuthenticationProvider(ApiTokens configured, ManagedTokens managed, Clock clock) {
    this.configured = configured;
    this.managed = managed;
    this.clock = clock;
  }

  @Override
  public Authentication authenticate(Authentication authentication) {
    String secret = ((BearerTokenAuthenticationToken) authentication).getToken();
    Optional<ApiTokens.Known> known = configured.authenticate(secret);
    if (known.isPresent()) {
      return authenticated(known.get().name(), known.get().role());
    }
    Optional<ManagedToken> token;
    try {
      token = managed.lookup(secret);
    } catch (DataAccessException e) {
      // Neither accepted nor refused: the failure handler answers 503.
      throw new AuthenticationServiceException("The token store is unavailable.", e);
    }
    if (token.isEmpty()) {
      throw new InvalidBearerTokenException("The bearer token is not a valid API token.");
    }
    ManagedToken found = token.get();
    if (found.revokedAt() != null) {
      throw new InvalidBearerTokenException("The API token was revoked.");
    }
    if (!found.activeAt(clock.instant())) {
      throw new InvalidBearerTokenException("The API token expired at " + found.expiresAt() + ".");
    }
    return authenticated(found.name(), found.role());
  }

  private static Authentication authenticated(String name, Role role) {
    return UsernamePasswordAuthenticationToken.authenticated(
        name, null, List.of(new SimpleGrantedAuthority(role.authority())));
  }

  @Override
  public boolean supports(Class<?> authentication) {
    return BearerTokenAuthenticationToken.class.isAssignableFrom(authentication);
  }
}
