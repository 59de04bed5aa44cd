package io.sparkgate.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.server.resource.web.BearerTokenResolver;
import org.springframework.security.oauth2.server.resource.web.DefaultBearerTokenResolver;

/**
 * The header resolver finds the token that Spring Security's default resolver finds, and refuses
 * what it refuses with the same error, for well-formed, malformed and unusual headers, query
 * parameters and form bodies.
 */
class HeaderBearerTokensTest {

  @Test
  void resolvesAndRefusesExactlyAsTheDefaultResolver() {
    List<String> headers =
        new ArrayList<>(
            List.of(
                "Bearer abc",
                "bearer abc",
                "BEARER abc-._~+/xyz==",
                "Bearer eyJhbGciOi.eyJzdWIi.c2ln",
                "Bearer abc=",
                "Bearer abc=d",
                "Bearer ",
                "Bearer",
                "Bearerabc",
                "Bearer  abc",
                "Bearer abc ",
                "Bearer a b",
                "Bearer ab\u00e9",
                "Bearer =",
                "Basic dXNlcjpwYXNz",
                "Token abc",
                "",
                " Bearer abc"));
    headers.add(null);
    BearerTokenResolver spring = new DefaultBearerTokenResolver();
    BearerTokenResolver ours = new HeaderBearerTokens();
    for (String header : headers) {
      for (String query : new String[] {null, "access_token=xyz", "page=2"}) {
        MockHttpServletRequest request = new MockHttpServletRequest("GET", "/api/v1/runs");
        if (header != null) {
          request.addHeader("Authorization", header);
        }
        if (query != null) {
          request.setQueryString(query);
          request.addParameter(query.split("=")[0], query.split("=")[1]);
        }
        assertThat(outcome(ours, request))
            .as("header %s, query %s", header, query)
            .isEqualTo(outcome(spring, request));
      }
      MockHttpServletRequest form = new MockHttpServletRequest("POST", "/api/v1/runs");
      form.setContentType("application/x-www-form-urlencoded");
      form.addParameter("access_token", "xyz");
      if (header != null) {
        form.addHeader("Authorization", header);
      }
      assertThat(outcome(ours, form))
          .as("form, header %s", header)
          .isEqualTo(outcome(spring, form));
    }
  }

  @Test
  void aWellFormedHeaderGivesItsToken() {
    MockHttpServletRequest request = new MockHttpServletRequest("GET", "/api/v1/runs");
    request.addHeader("Authorization", "Bearer sg_abc123");
    assertThat(new HeaderBearerTokens().resolve(request)).isEqualTo("sg_abc123");
  }

  static String outcome(BearerTokenResolver resolver, MockHttpServletRequest request) {
    try {
      return "token " + resolver.resolve(request);
    } catch (OAuth2AuthenticationException e) {
      return "refused " + e.getError().getErrorCode() + ": " + e.getError().getDescription();
    }
  }
}
