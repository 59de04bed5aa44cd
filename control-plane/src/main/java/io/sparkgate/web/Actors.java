package io.sparkgate.web;

import org.springframework.stereotype.Component;

/**
 * Who is calling, for the audit trail (submittedBy, event actors). Until authentication is in place
 * every caller is {@code anonymous}; this is the one place that will change.
 */
@Component
public class Actors {

  public static final String ANONYMOUS = "anonymous";

  public String current() {
    return ANONYMOUS;
  }
}
