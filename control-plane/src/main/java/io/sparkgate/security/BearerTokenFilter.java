package io.sparkgate.security;

import io.sparkgate.error.ErrorKind;
import io.sparkgate.web.ProblemResponses;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Authenticates {@code Authorization: Bearer <token>} against the configured API tokens. A request
 * without the header goes on as anonymous (public endpoints let it through, the others answer 401);
 * a wrong token is refused at once with 401. The metrics endpoint is left alone: there the bearer
 * token is the run's own secret, checked by the run service.
 */
public class BearerTokenFilter extends OncePerRequestFilter {

  static final String CHALLENGE = "Bearer realm=\"sparkgate\"";
  private static final Pattern METRICS = Pattern.compile("/api/v1/runs/[^/]+/metrics");

  private final ApiTokens tokens;

  public BearerTokenFilter(ApiTokens tokens) {
    this.tokens = tokens;
  }

  @Override
  protected boolean shouldNotFilter(HttpServletRequest request) {
    return "POST".equals(request.getMethod()) && METRICS.matcher(request.getRequestURI()).matches();
  }

  @Override
  protected void doFilterInternal(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    String header = request.getHeader("Authorization");
    if (header == null || header.isBlank()) {
      chain.doFilter(request, response);
      return;
    }
    Optional<ApiTokens.Known> known =
        header.startsWith("Bearer ")
            ? tokens.authenticate(header.substring("Bearer ".length()).strip())
            : Optional.empty();
    if (known.isEmpty()) {
      response.setHeader("WWW-Authenticate", CHALLENGE + ", error=\"invalid_token\"");
      ProblemResponses.write(
          request, response, ErrorKind.UNAUTHENTICATED, "The bearer token is not valid.");
      return;
    }
    UsernamePasswordAuthenticationToken authentication =
        UsernamePasswordAuthenticationToken.authenticated(
            known.get().name(),
            null,
            List.of(new SimpleGrantedAuthority(known.get().role().authority())));
    SecurityContextHolder.getContext().setAuthentication(authentication);
    try {
      chain.doFilter(request, response);
    } finally {
      SecurityContextHolder.clearContext();
    }
  }
}
