package io.sparkgate.security;

import jakarta.servlet.http.HttpServletRequest;
import org.springframework.http.HttpHeaders;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.server.resource.BearerTokenErrors;
import org.springframework.security.oauth2.server.resource.web.BearerTokenResolver;

/**
 * The bearer token of a request's {@code Authorization} header (RFC 6750), as Spring Security's
 * {@code DefaultBearerTokenResolver} with its defaults finds it (the header only, never a query or
 * form parameter; a header that names the scheme but holds no b64token is refused as malformed),
 * without matching a regular expression on every request.
 */
final class HeaderBearerTokens implements BearerTokenResolver {

  private static final String SCHEME = "bearer ";

  @Override
  public String resolve(HttpServletRequest request) {
    String header = request.getHeader(HttpHeaders.AUTHORIZATION);
    if (header == null || !header.regionMatches(true, 0, SCHEME, 0, SCHEME.length() - 1)) {
      return null;
    }
    if (!header.regionMatches(true, 0, SCHEME, 0, SCHEME.length()) || !isToken(header)) {
      throw new OAuth2AuthenticationException(
          BearerTokenErrors.invalidToken("Bearer token is malformed"));
    }
    return header.substring(SCHEME.length());
  }

  /** Whether the header's credentials are a b64token: [A-Za-z0-9-._~+/]+ then any '='. */
  private static boolean isToken(String header) {
    int i = SCHEME.length();
    int end = header.length();
    int start = i;
    while (i < end && isTokenChar(header.charAt(i))) {
      i++;
    }
    if (i == start) {
      return false;
    }
    while (i < end && header.charAt(i) == '=') {
      i++;
    }
    return i == end;
  }

  private static boolean isTokenChar(char c) {
    return (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9')
        || c == '-'
        || c == '.'
        || c == '_'
        || c == '~'
        || c == '+'
        || c == '/';
  }
}
