package io.sparkgate.security.web;

import io.sparkgate.security.ManagedTokens;
import io.sparkgate.security.ManagedTokens.Created;
import io.sparkgate.web.Actors;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.springframework.http.CacheControl;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** API tokens managed at run time (admin only). */
@RestController
@RequestMapping(path = "/api/v1/tokens", produces = "application/json")
@Tag(
    name = "Tokens",
    description =
        "Create, list and revoke API tokens. Configured tokens (sparkgate.security.tokens) are not"
            + " listed here and keep working.")
public class TokenController {

  private final ManagedTokens tokens;
  private final Actors actors;
  private final Clock clock;

  public TokenController(ManagedTokens tokens, Actors actors, Clock clock) {
    this.tokens = tokens;
    this.actors = actors;
    this.clock = clock;
  }

  @PostMapping(consumes = "application/json")
  @Operation(
      summary = "Create an API token",
      description =
          "The answer holds the token itself, the only time it is shown; store it in a secret"
              + " manager. Only its SHA-256 is kept.")
  @ApiResponse(responseCode = "201", description = "Created")
  @ApiResponse(responseCode = "400", description = "Invalid name, role or expiry")
  public ResponseEntity<CreatedTokenView> create(@RequestBody CreateTokenBody body) {
    Created created = tokens.create(body.name(), body.role(), body.expiresAt(), actors.current());
    return ResponseEntity.created(URI.create("/api/v1/tokens/" + created.token().id()))
        .cacheControl(CacheControl.noStore())
        .body(new CreatedTokenView(created.secret(), TokenView.of(created.token(), now())));
  }

  @GetMapping
  @Operation(summary = "List managed API tokens, newest first, revoked ones included")
  @ApiResponse(responseCode = "200", description = "The tokens, without their secrets")
  public List<TokenView> list() {
    Instant now = now();
    return tokens.list().stream().map(token -> TokenView.of(token, now)).toList();
  }

  @GetMapping("/{id}")
  @Operation(summary = "Get one managed API token")
  @ApiResponse(responseCode = "200", description = "The token, without its secret")
  @ApiResponse(responseCode = "404", description = "No such token")
  public TokenView get(@PathVariable UUID id) {
    return TokenView.of(tokens.get(id), now());
  }

  @DeleteMapping("/{id}")
  @Operation(
      summary = "Revoke an API token",
      description =
          "Refused on every instance within one second. Revoking a revoked token changes nothing;"
              + " the record stays, with who revoked it.")
  @ApiResponse(responseCode = "200", description = "The revoked token")
  @ApiResponse(responseCode = "404", description = "No such token")
  public TokenView revoke(@PathVariable UUID id) {
    return TokenView.of(tokens.revoke(id, actors.current()), now());
  }

  private Instant now() {
    return clock.instant();
  }
}
