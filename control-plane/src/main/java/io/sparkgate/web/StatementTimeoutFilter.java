package io.sparkgate.web;

import io.sparkgate.config.SparkgateProperties;
import io.sparkgate.support.StatementTimeout;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Duration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Bounds every SQL statement run for a request, the token lookup of authentication included, by
 * {@code sparkgate.api.statement-timeout}: a slow database or a held lock costs a client a 503 (see
 * {@link ProblemHandler}), never a request thread stuck for as long as the database takes.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 1)
public class StatementTimeoutFilter extends OncePerRequestFilter {

  private final Duration timeout;

  public StatementTimeoutFilter(SparkgateProperties properties) {
    this.timeout = properties.api().statementTimeout();
  }

  @Override
  protected void doFilterInternal(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    try (StatementTimeout.Scope limited = StatementTimeout.limit(timeout)) {
      chain.doFilter(request, response);
    }
  }
}
