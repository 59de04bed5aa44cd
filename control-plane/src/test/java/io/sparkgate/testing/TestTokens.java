package io.sparkgate.testing;

/** API tokens every test service is configured with: one per role, configured as hashes. */
public final class TestTokens {

  public static final String ADMIN = "admin-test-token";
  public static final String OPERATOR = "operator-test-token";
  public static final String VIEWER = "viewer-test-token";

  /** The Spring properties that configure them (for @SpringBootTest properties). */
  public static final String ADMIN_NAME = "sparkgate.security.tokens[0].name=test-admin";

  public static final String ADMIN_ROLE = "sparkgate.security.tokens[0].role=admin";
  public static final String ADMIN_HASH =
      "sparkgate.security.tokens[0].sha256=1d4f144f52846450e02414b4f60277722e181fe96d30a2392aef2a7838a6aeae";
  public static final String OPERATOR_NAME = "sparkgate.security.tokens[1].name=test-operator";
  public static final String OPERATOR_ROLE = "sparkgate.security.tokens[1].role=operator";
  public static final String OPERATOR_HASH =
      "sparkgate.security.tokens[1].sha256=8ab817b57342c26ffe488f3496c34d72b47ac4140f5dbcf16e9cb38c3390a2ba";
  public static final String VIEWER_NAME = "sparkgate.security.tokens[2].name=test-viewer";
  public static final String VIEWER_ROLE = "sparkgate.security.tokens[2].role=viewer";
  public static final String VIEWER_HASH =
      "sparkgate.security.tokens[2].sha256=f23b6c97f249447867895961de500a8d0d7ecced8c3f9ebd456e23462515734a";

  /** The same, as command-line arguments of a service process. */
  public static final String[] ARGS = {
    "--" + ADMIN_NAME, "--" + ADMIN_ROLE, "--" + ADMIN_HASH,
    "--" + OPERATOR_NAME, "--" + OPERATOR_ROLE, "--" + OPERATOR_HASH,
    "--" + VIEWER_NAME, "--" + VIEWER_ROLE, "--" + VIEWER_HASH
  };

  private TestTokens() {}
}
