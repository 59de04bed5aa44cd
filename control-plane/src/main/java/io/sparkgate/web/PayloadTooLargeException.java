package io.sparkgate.web;

import java.io.IOException;

/** A request body grew past the configured limit while it was being read. */
public class PayloadTooLargeException extends IOException {

  private static final long serialVersionUID = 1L;

  public PayloadTooLargeException(long limit) {
    super("request body exceeds " + limit + " bytes");
  }
}
