package io.sparkgate.web;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.servlet.FilterChain;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.servlet.HandlerMapping;

/**
 * Times every request as {@code http.server.requests}, with the tags Spring's observation of a
 * request gives it (method, uri, status, outcome, exception and error; the registry adds {@code
 * application}), so dashboards and alerts built on Spring Boot's metric keep working. It replaces
 * that observation (WebMvcObservationAutoConfiguration is excluded in application.yml): its context
 * objects, key-value lists and handler lookups cost a request a few percent of its CPU time, where
 * a cached timer per tag combination costs a map lookup (see docs/benchmarks.md). The {@code uri}
 * is the matched handler pattern, never the raw path, so the number of timers stays bounded by the
 * number of routes.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
public class RequestMetricsFilter extends OncePerRequestFilter {

  /** Request attribute naming the URI pattern of a request that no handler mapping serves. */
  public static final String PATTERN_ATTRIBUTE = RequestMetricsFilter.class.getName() + ".pattern";

  static final String NAME = "http.server.requests";
  private static final Set<String> METHODS =
      Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE");

  private record Key(String method, String uri, int status, String exception) {}

  private final MeterRegistry registry;
  private final ConcurrentMap<Key, Timer> timers = new ConcurrentHashMap<>();

  public RequestMetricsFilter(MeterRegistry registry) {
    this.registry = registry;
  }

  @Override
  protected void doFilterInternal(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    long start = registry.config().clock().monotonicTime();
    Throwable failure = null;
    try {
      chain.doFilter(request, response);
    } catch (ServletException | IOException | RuntimeException | Error e) {
      failure = e instanceof ServletException && e.getCause() != null ? e.getCause() : e;
      throw e;
    } finally {
      int status = failure == null ? response.getStatus() : 500;
      if (failure == null
          && request.getAttribute(RequestDispatcher.ERROR_EXCEPTION) instanceof Throwable t) {
        failure = t;
      }
      String exception = failure == null ? "none" : exceptionName(failure);
      Key key = new Key(method(request), uri(request, status), status, exception);
      long elapsed = registry.config().clock().monotonicTime() - start;
      Timer timer = timers.get(key); // without computeIfAbsent's lock on the common path
      (timer != null ? timer : timers.computeIfAbsent(key, this::timer))
          .record(elapsed, TimeUnit.NANOSECONDS);
    }
  }

  private Timer timer(Key key) {
    return Timer.builder(NAME)
        .tag("method", key.method())
        .tag("uri", key.uri())
        .tag("status", Integer.toString(key.status()))
        .tag("outcome", outcome(key.status()))
        .tag("exception", key.exception())
        .tag("error", key.exception())
        .register(registry);
  }

  private static String method(HttpServletRequest request) {
    String method = request.getMethod();
    return METHODS.contains(method) ? method : "UNKNOWN";
  }

  private static String uri(HttpServletRequest request, int status) {
    Object pattern = request.getAttribute(HandlerMapping.BEST_MATCHING_PATTERN_ATTRIBUTE);
    if (pattern == null) {
      pattern = request.getAttribute(PATTERN_ATTRIBUTE);
    }
    if (pattern != null) {
      String text = pattern.toString();
      return text.isEmpty() ? "root" : text;
    }
    if (status >= 300 && status < 400) {
      return "REDIRECTION";
    }
    return status == 404 ? "NOT_FOUND" : "UNKNOWN";
  }

  private static String outcome(int status) {
    return switch (status / 100) {
      case 1 -> "INFORMATIONAL";
      case 2 -> "SUCCESS";
      case 3 -> "REDIRECTION";
      case 4 -> "CLIENT_ERROR";
      case 5 -> "SERVER_ERROR";
      default -> "UNKNOWN";
    };
  }

  private static String exceptionName(Throwable failure) {
    String simple = failure.getClass().getSimpleName();
    return simple.isEmpty() ? failure.getClass().getName() : simple;
  }
}
