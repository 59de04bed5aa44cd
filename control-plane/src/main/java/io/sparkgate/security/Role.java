package io.sparkgate.security;

import java.util.Locale;

/** What a token may do; each role includes the ones below it. */
public enum Role {
  /** Read jobs, runs, logs, events and metrics. */
  VIEWER,
  /** And submit and cancel runs. */
  OPERATOR,
  /** And create, change, enable and disable jobs, and manage API tokens. */
  ADMIN;

  /** The role as the API and the configuration spell it: viewer, operator, admin. */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  public String authority() {
    return "ROLE_" + name();
  }

  public static Role of(String name) {
    return valueOf(name.toUpperCase(Locale.ROOT));
  }
}
