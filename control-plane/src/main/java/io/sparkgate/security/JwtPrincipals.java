package io.sparkgate.security;

import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.springframework.core.convert.converter.Converter;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;

/**
 * Turns a validated JWT into a caller: the role is the highest of {@code viewer}, {@code operator}
 * and {@code admin} found in the roles claim ({@code sparkgate.security.jwt.roles-claim}) (a
 * string, a list, or a space- or comma-separated string, as identity providers differ), other
 * values are ignored; the name recorded as actor is {@code preferred_username}, else {@code sub}. A
 * token with no Sparkgate role is authenticated but may do nothing (403), so the answer says what
 * is missing rather than that the token is bad.
 */
public final class JwtPrincipals implements Converter<Jwt, AbstractAuthenticationToken> {

  private final String rolesClaim;

  public JwtPrincipals(String rolesClaim) {
    this.rolesClaim = rolesClaim;
  }

  @Override
  public AbstractAuthenticationToken convert(Jwt jwt) {
    String name =
        Optional.ofNullable(jwt.getClaimAsString("preferred_username"))
            .filter(s -> !s.isBlank())
            .orElse(jwt.getSubject());
    List<SimpleGrantedAuthority> authorities =
        highestRole(claim(jwt.getClaims(), rolesClaim)).stream()
            .map(role -> new SimpleGrantedAuthority(role.authority()))
            .toList();
    return new JwtAuthenticationToken(jwt, authorities, name);
  }

  /**
   * The claim by its name, or else by a dotted path into nested objects ({@code
   * realm_access.roles}); names that contain dots themselves (Auth0's namespaced claims, {@code
   * https://example.com/roles}) are found by the first lookup.
   */
  static Object claim(Map<String, Object> claims, String name) {
    if (claims.containsKey(name)) {
      return claims.get(name);
    }
    Object value = claims;
    for (String part : name.split("\\.")) {
      if (!(value instanceof Map<?, ?> map)) {
        return null;
      }
      value = map.get(part);
    }
    return value;
  }

  /** The highest Sparkgate role among the claim's values, if any. */
  static Optional<Role> highestRole(Object claim) {
    Stream<String> values;
    if (claim instanceof String text) {
      values = Stream.of(text.split("[\\s,]+"));
    } else if (claim instanceof Collection<?> list) {
      values = list.stream().map(String::valueOf);
    } else {
      values = Stream.empty();
    }
    return values
        .map(value -> value.strip().toLowerCase(Locale.ROOT))
        .flatMap(value -> Stream.of(Role.values()).filter(role -> role.id().equals(value)))
        .max(Enum::compareTo);
  }
}
