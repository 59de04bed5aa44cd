package io.sparkgate.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.oauth2.jwt.Jwt;

class JwtPrincipalsTest {

  static Jwt jwt(Map<String, Object> claims) {
    Jwt.Builder builder =
        Jwt.withTokenValue("t")
            .header("alg", "RS256")
            .issuedAt(Instant.EPOCH)
            .expiresAt(Instant.EPOCH.plusSeconds(60));
    claims.forEach(builder::claim);
    return builder.build();
  }

  static List<String> authorities(String claimName, Map<String, Object> claims) {
    return new JwtPrincipals(claimName)
        .convert(jwt(claims)).getAuthorities().stream()
            .map(GrantedAuthority::getAuthority)
            .toList();
  }

  @Test
  void theHighestKnownRoleWinsWhateverTheClaimsShape() {
    assertThat(authorities("roles", Map.of("sub", "s", "roles", "viewer")))
        .containsExactly("ROLE_VIEWER");
    assertThat(authorities("roles", Map.of("sub", "s", "roles", List.of("ADMIN", "viewer"))))
        .containsExactly("ROLE_ADMIN");
    assertThat(authorities("roles", Map.of("sub", "s", "roles", "viewer operator,other")))
        .containsExactly("ROLE_OPERATOR");
    assertThat(authorities("roles", Map.of("sub", "s", "roles", List.of("superuser", "root"))))
        .isEmpty();
    assertThat(authorities("roles", Map.of("sub", "s", "roles", 42))).isEmpty();
    assertThat(authorities("roles", Map.of("sub", "s"))).isEmpty();
  }

  @Test
  void aDottedClaimNameIsFirstAClaimThenAPath() {
    Map<String, Object> keycloak =
        Map.of("sub", "s", "realm_access", Map.of("roles", List.of("operator")));
    assertThat(authorities("realm_access.roles", keycloak)).containsExactly("ROLE_OPERATOR");
    Map<String, Object> auth0 = Map.of("sub", "s", "https://sparkgate.io/roles", List.of("admin"));
    assertThat(authorities("https://sparkgate.io/roles", auth0)).containsExactly("ROLE_ADMIN");
    assertThat(authorities("realm_access.roles.x", keycloak)).isEmpty();
  }

  @Test
  void theActorIsThePreferredUsernameElseTheSubject() {
    JwtPrincipals principals = new JwtPrincipals("roles");
    assertThat(principals.convert(jwt(Map.of("sub", "u-1", "preferred_username", "ada"))).getName())
        .isEqualTo("ada");
    assertThat(principals.convert(jwt(Map.of("sub", "u-1", "preferred_username", " "))).getName())
        .isEqualTo("u-1");
    assertThat(principals.convert(jwt(Map.of("sub", "u-1"))).getName()).isEqualTo("u-1");
  }
}
