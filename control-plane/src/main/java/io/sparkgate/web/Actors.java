package io.sparkgate.web;

import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.stereotype.Component;

/** Who is calling, for the audit trail (submittedBy, event actors): the API token's name. */
@Component
public class Actors {

  public static final String ANONYMOUS = "anonymous";

  public String current() {
    Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
    return authentication == null || !authentication.isAuthenticated()
        ? ANONYMOUS
        : authentication.getName();
  }
}
