package io.sparkgate.security;

import io.sparkgate.config.SparkgateProperties;
import io.sparkgate.error.ErrorKind;
import io.sparkgate.web.ProblemResponses;
import java.time.Clock;
import java.util.regex.Pattern;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.security.access.hierarchicalroles.RoleHierarchy;
import org.springframework.security.authentication.AuthenticationManager;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.authentication.AuthenticationServiceException;
import org.springframework.security.config.ObjectPostProcessor;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.config.observation.SecurityObservationSettings;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.core.userdetails.UsernameNotFoundException;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.server.resource.InvalidBearerTokenException;
import org.springframework.security.oauth2.server.resource.authentication.BearerTokenAuthenticationToken;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationProvider;
import org.springframework.security.oauth2.server.resource.web.BearerTokenAuthenticationEntryPoint;
import org.springframework.security.oauth2.server.resource.web.BearerTokenResolver;
import org.springframework.security.oauth2.server.resource.web.authentication.BearerTokenAuthenticationFilter;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.AuthenticationFailureHandler;
import org.springframework.security.web.firewall.HttpFirewall;
import org.springframework.security.web.firewall.RequestRejectedHandler;
import org.springframework.security.web.firewall.StrictHttpFirewall;

/**
 * Who may call what. Public: health probes (their status; the components and details only to a
 * caller with a role, see management.endpoint.health in application.yml) and the OpenAPI document
 * with its UI. Viewers read; operators also submit and cancel runs; admins also manage jobs and API
 * tokens. Everything else under /actuator needs a token. Callers present a configured or managed
 * API token, or a JWT from the identity provider. Errors are problem documents: 401 with a
 * WWW-Authenticate challenge, 403.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
public class SecurityConfiguration {

  /** Where drivers report with their attempt's secret instead of an API token. */
  private static final Pattern DRIVER_REPORTS =
      Pattern.compile("/api/v1/runs/[^/]+/(metrics|progress)");

  /** Three base64url segments, the first a JSON object ("eyJ" is the encoding of '{"'). */
  private static final Pattern JWT_SHAPE =
      Pattern.compile("eyJ[A-Za-z0-9_-]*\\.[A-Za-z0-9_-]*\\.[A-Za-z0-9_-]*");

  /**
   * Bearer tokens are the only credentials. An empty user store keeps Boot from creating a default
   * user, and from logging its generated password.
   */
  @Bean
  UserDetailsService noUsers() {
    return username -> {
      throw new UsernameNotFoundException("API tokens are the only credentials");
    };
  }

  /**
   * Requests the firewall refuses (encoded slashes, '..' segments, forbidden characters) get a
   * problem document; the offending text is not echoed.
   */
  @Bean
  RequestRejectedHandler problemRequestRejectedHandler() {
    return (request, response, e) ->
        ProblemResponses.write(
            response,
            400,
            ErrorKind.MALFORMED_REQUEST,
            "The request is not allowed (encoded slashes, '..' segments and some characters in"
                + " its URL or headers are refused).",
            null);
  }

  /**
   * Spring Security's strict firewall, except that any method may pass: Spring MVC answers an
   * unknown one with 405 and an Allow header rather than the firewall's bare 400.
   */
  @Bean
  HttpFirewall httpFirewall() {
    StrictHttpFirewall firewall = new StrictHttpFirewall();
    firewall.setUnsafeAllowAnyHttpMethod(true);
    // Query parameters go to SQL as text, which cannot hold NUL.
    firewall.setAllowedParameterNames(SecurityConfiguration::noNul);
    firewall.setAllowedParameterValues(SecurityConfiguration::noNul);
    return firewall;
  }

  private static boolean noNul(String text) {
    return text.indexOf('\0') < 0;
  }

  /**
   * No observations of Spring Security's own: it would wrap each filter of its chain in two (each a
   * long-task timer and counters), and observe every authentication and authorization, which for a
   * request that is cheap to answer costs more than answering it (bench/profile-api.sh). Requests
   * stay observed once, as {@code http.server.requests}, with their status (401, 403 included).
   */
  @Bean
  SecurityObservationSettings noSecurityObservations() {
    return SecurityObservationSettings.noObservations();
  }

  @Bean
  RoleHierarchy roleHierarchy() {
    return new IncludedRoles();
  }

  @Bean
  ApiTokenAuthenticationProvider apiTokenAuthentication(
      ApiTokens configured, ManagedTokens managed, Clock clock) {
    return new ApiTokenAuthenticationProvider(configured, managed, clock);
  }

  /**
   * One bearer scheme for every credential, through Spring Security's resource server. A token
   * shaped like a JWT goes to the JWT decoder that Spring Boot builds from {@code
   * spring.security.oauth2.resourceserver.jwt.*} (when configured); anything else is looked up as
   * an API token. Refusals say why in {@code WWW-Authenticate} (RFC 6750 {@code error_description})
   * and in a problem document.
   */
  @Bean
  SecurityFilterChain api(
      HttpSecurity http,
      ApiTokenAuthenticationProvider apiTokens,
      ObjectProvider<JwtDecoder> jwtDecoder,
      SparkgateProperties properties)
      throws Exception {
    AuthenticationProvider jwt =
        jwtDecoder.stream()
            .findFirst()
            .map(
                decoder -> {
                  JwtAuthenticationProvider provider = new JwtAuthenticationProvider(decoder);
                  provider.setJwtAuthenticationConverter(
                      new JwtPrincipals(properties.security().jwt().rolesClaim()));
                  return (AuthenticationProvider) provider;
                })
            .orElse(null);
    AuthenticationManager bearer =
        authentication -> {
          String token = ((BearerTokenAuthenticationToken) authentication).getToken();
          if (JWT_SHAPE.matcher(token).matches()) {
            if (jwt == null) {
              throw new InvalidBearerTokenException(
                  "The bearer token is a JWT, but single sign-on is not configured.");
            }
            return jwt.authenticate(authentication);
          }
          return apiTokens.authenticate(authentication);
        };
    BearerTokenAuthenticationEntryPoint challenge = new BearerTokenAuthenticationEntryPoint();
    challenge.setRealmName("sparkgate");
    AuthenticationEntryPoint entryPoint =
        (request, response, ex) -> {
          challenge.commence(request, response, ex);
          int status = response.getStatus();
          String detail =
              ex instanceof OAuth2AuthenticationException oauth
                      && oauth.getError().getDescription() != null
                  ? oauth.getError().getDescription()
                  : "A bearer token is required (Authorization: Bearer <token>).";
          ProblemResponses.write(
              response,
              status,
              status == 401 ? ErrorKind.UNAUTHENTICATED : ErrorKind.forStatus(status),
              detail,
              request.getRequestURI());
        };
    AuthenticationFailureHandler failure =
        (request, response, ex) -> {
          if (ex instanceof AuthenticationServiceException) {
            // The token store (the database) did not answer: not the caller's fault.
            response.setHeader("Retry-After", "5");
            ProblemResponses.write(
                request,
                response,
                ErrorKind.SERVICE_UNAVAILABLE,
                "The token could not be checked now; try again shortly.");
          } else {
            entryPoint.commence(request, response, ex);
          }
        };
    BearerTokenResolver header = new HeaderBearerTokens();
    BearerTokenResolver resolver =
        request ->
            // There the bearer token is the run's own secret, checked by the run service.
            "POST".equals(request.getMethod())
                    && DRIVER_REPORTS.matcher(request.getRequestURI()).matches()
                ? null
                : header.resolve(request);
    http.csrf(csrf -> csrf.disable())
        .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
        .httpBasic(basic -> basic.disable())
        .formLogin(form -> form.disable())
        .logout(logout -> logout.disable())
        .requestCache(cache -> cache.disable())
        .oauth2ResourceServer(
            rs ->
                rs.authenticationManagerResolver(request -> bearer)
                    .bearerTokenResolver(resolver)
                    .authenticationEntryPoint(entryPoint)
                    .withObjectPostProcessor(
                        new ObjectPostProcessor<BearerTokenAuthenticationFilter>() {
                          @Override
                          public <O extends BearerTokenAuthenticationFilter> O postProcess(
                              O filter) {
                            filter.setAuthenticationFailureHandler(failure);
                            return filter;
                          }
                        }))
        .exceptionHandling(
            e ->
                e.authenticationEntryPoint(entryPoint)
                    .accessDeniedHandler(
                        (request, response, ex) ->
                            ProblemResponses.write(
                                request,
                                response,
                                ErrorKind.FORBIDDEN,
                                "This caller's role may not do this.")))
        .authorizeHttpRequests(
            auth ->
                auth.requestMatchers(
                        "/actuator/health",
                        "/actuator/health/**",
                        "/v3/api-docs",
                        "/v3/api-docs/**",
                        "/swagger-ui.html",
                        "/swagger-ui/**",
                        "/error")
                    .permitAll()
                    // Authenticated by the run's own secret in the run service.
                    .requestMatchers(
                        HttpMethod.POST, "/api/v1/runs/*/metrics", "/api/v1/runs/*/progress")
                    .permitAll()
                    .requestMatchers("/api/v1/tokens", "/api/v1/tokens/**")
                    .hasRole("ADMIN")
                    .requestMatchers(HttpMethod.POST, "/api/v1/runs", "/api/v1/runs/*/cancel")
                    .hasRole("OPERATOR")
                    .requestMatchers(HttpMethod.GET, "/api/v1/**")
                    .hasRole("VIEWER")
                    .requestMatchers("/api/v1/jobs", "/api/v1/jobs/**")
                    .hasRole("ADMIN")
                    .requestMatchers("/actuator/**")
                    .hasRole("VIEWER")
                    .anyRequest()
                    .authenticated());
    return http.build();
  }
}
