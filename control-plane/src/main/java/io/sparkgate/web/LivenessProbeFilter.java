package io.sparkgate.web;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.boot.availability.LivenessState;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Answers the liveness probe of a caller without credentials (a container runtime, a load balancer)
 * from the application's availability state, as the health endpoint would: {@code {"status":"UP"}}
 * with 200, or {@code {"status":"DOWN"}} with 503 once the state is {@code BROKEN}. Its liveness
 * group holds that state only, and such a caller sees no components, so the answer is the same; it
 * just skips the security chain and the endpoint machinery, which cost a probe ten times what
 * answering it does (see docs/benchmarks.md). A caller with a token, or any other path, goes the
 * usual way. The probe stays in {@code http.server.requests}: this filter runs inside {@link
 * RequestMetricsFilter} and names its URI.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 2)
public class LivenessProbeFilter extends OncePerRequestFilter {

  static final String PATH = "/actuator/health/liveness";
  private static final String ACTUATOR_JSON = "application/vnd.spring-boot.actuator.v3+json";
  private static final byte[] UP = "{\"status\":\"UP\"}".getBytes(StandardCharsets.UTF_8);
  private static final byte[] DOWN = "{\"status\":\"DOWN\"}".getBytes(StandardCharsets.UTF_8);

  private final ApplicationAvailability availability;

  public LivenessProbeFilter(ApplicationAvailability availability) {
    this.availability = availability;
  }

  @Override
  protected boolean shouldNotFilter(HttpServletRequest request) {
    return !"GET".equals(request.getMethod())
        || !PATH.equals(request.getRequestURI())
        || request.getHeader(HttpHeaders.AUTHORIZATION) != null;
  }

  @Override
  protected void doFilterInternal(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    request.setAttribute(RequestMetricsFilter.PATTERN_ATTRIBUTE, PATH);
    boolean up = availability.getLivenessState() == LivenessState.CORRECT;
    byte[] body = up ? UP : DOWN;
    response.setStatus(up ? 200 : 503);
    // The headers Spring Security's chain writes on every answer.
    response.setHeader(HttpHeaders.CACHE_CONTROL, "no-cache, no-store, max-age=0, must-revalidate");
    response.setHeader(HttpHeaders.PRAGMA, "no-cache");
    response.setHeader(HttpHeaders.EXPIRES, "0");
    response.setHeader("X-Content-Type-Options", "nosniff");
    response.setHeader("X-Frame-Options", "DENY");
    response.setHeader("X-XSS-Protection", "0");
    response.setContentType(contentType(request.getHeader(HttpHeaders.ACCEPT)));
    response.setContentLength(body.length);
    response.getOutputStream().write(body);
  }

  /** The endpoint's own choice: its v3 type unless the caller asks for plain JSON only. */
  private static String contentType(String accept) {
    if (accept == null
        || accept.contains(ACTUATOR_JSON)
        || accept.contains("*/*")
        || !accept.contains("application/json")) {
      return ACTUATOR_JSON;
    }
    return "application/json";
  }
}
