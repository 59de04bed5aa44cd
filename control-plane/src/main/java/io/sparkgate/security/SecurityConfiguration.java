package io.sparkgate.security;

import io.sparkgate.error.ErrorKind;
import io.sparkgate.web.ProblemResponses;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.security.access.hierarchicalroles.RoleHierarchy;
import org.springframework.security.access.hierarchicalroles.RoleHierarchyImpl;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.core.userdetails.UsernameNotFoundException;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.AnonymousAuthenticationFilter;
import org.springframework.security.web.firewall.HttpFirewall;
import org.springframework.security.web.firewall.RequestRejectedHandler;
import org.springframework.security.web.firewall.StrictHttpFirewall;

/**
 * Who may call what. Public: health probes (their status; the components and details only with a
 * token, see management.endpoint.health in application.yml) and the OpenAPI document with its UI.
 * Viewers read; operators also submit and cancel runs; admins also manage jobs. Everything else
 * under /actuator needs a token. Errors are problem documents: 401 with a WWW-Authenticate
 * challenge, 403.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
public class SecurityConfiguration {

  /**
   * API tokens are the only credentials. An empty user store keeps Boot from creating a default
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

  @Bean
  RoleHierarchy roleHierarchy() {
    return RoleHierarchyImpl.fromHierarchy(
        "ROLE_ADMIN > ROLE_OPERATOR\nROLE_OPERATOR > ROLE_VIEWER");
  }

  @Bean
  SecurityFilterChain api(HttpSecurity http, ApiTokens tokens) throws Exception {
    http.csrf(csrf -> csrf.disable())
        .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
        .httpBasic(basic -> basic.disable())
        .formLogin(form -> form.disable())
        .logout(logout -> logout.disable())
        .requestCache(cache -> cache.disable())
        .addFilterBefore(new BearerTokenFilter(tokens), AnonymousAuthenticationFilter.class)
        .exceptionHandling(
            e ->
                e.authenticationEntryPoint(
                        (request, response, ex) -> {
                          response.setHeader("WWW-Authenticate", BearerTokenFilter.CHALLENGE);
                          ProblemResponses.write(
                              request,
                              response,
                              ErrorKind.UNAUTHENTICATED,
                              "A bearer token is required (Authorization: Bearer <token>).");
                        })
                    .accessDeniedHandler(
                        (request, response, ex) ->
                            ProblemResponses.write(
                                request,
                                response,
                                ErrorKind.FORBIDDEN,
                                "This token's role may not do this.")))
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
                    .requestMatchers(HttpMethod.POST, "/api/v1/runs/*/metrics")
                    .permitAll()
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
