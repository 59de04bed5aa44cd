package io.sparkgate.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * API tokens every test service is configured with, one per role. Their hashes are configured once,
 * in {@code test-tokens.properties}: test contexts load it with
 * {@code @TestPropertySource(locations = TestTokens.PROPERTIES)}, service processes get it as
 * arguments.
 */
public final class TestTokens {

  public static final String ADMIN = "admin-test-token";
  public static final String OPERATOR = "operator-test-token";
  public static final String VIEWER = "viewer-test-token";

  public static final String PROPERTIES = "classpath:test-tokens.properties";

  private TestTokens() {}

  /** The same configuration as command-line arguments of a service process. */
  public static String[] args() {
    Properties properties = new Properties();
    try (InputStream in = TestTokens.class.getResourceAsStream("/test-tokens.properties")) {
      properties.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return properties.stringPropertyNames().stream()
        .sorted()
        .map(name -> "--" + name + "=" + properties.getProperty(name))
        .toArray(String[]::new);
  }
}
