package io.sparkgate.testing;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.function.Consumer;

/**
 * An identity provider made by the tests, with no network: an RSA key pair generated once per test
 * JVM, its public key as a PEM file (for {@code public-key-location}) and as a JWK set (for a
 * {@code jwk-set-uri} served on loopback), and signed tokens with chosen claims. Every token it
 * signs is remembered for the log scan ({@link TestSecrets}).
 */
public final class TestJwts {

  public static final String ISSUER = "https://idp.sparkgate.test/realms/data";
  public static final String AUDIENCE = "sparkgate";

  private static final KeyPair KEYS = generate();
  private static final KeyPair OTHER_KEYS = generate();
  private static final Path PUBLIC_KEY = writePublicKey();
  private static HttpServer jwks;

  private TestJwts() {}

  /**
   * The Spring properties of the usual production set-up: keys from the provider's JWK set URI
   * (served here on loopback), issuer and audience checked.
   */
  public static String[] properties() {
    return new String[] {
      "spring.security.oauth2.resourceserver.jwt.jwk-set-uri=" + jwkSetUri(),
      "spring.security.oauth2.resourceserver.jwt.issuer-uri=" + ISSUER,
      "spring.security.oauth2.resourceserver.jwt.audiences=" + AUDIENCE
    };
  }

  /**
   * The properties of an off-line set-up: the provider's public key in a PEM file, audience checked
   * (Spring Boot uses a public key only when no issuer URI is set).
   */
  public static String[] publicKeyProperties() {
    return new String[] {
      "spring.security.oauth2.resourceserver.jwt.public-key-location=file:" + PUBLIC_KEY,
      "spring.security.oauth2.resourceserver.jwt.audiences=" + AUDIENCE
    };
  }

  private static synchronized String jwkSetUri() {
    if (jwks == null) {
      try {
        jwks = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      byte[] body = jwkSet().getBytes(StandardCharsets.UTF_8);
      jwks.createContext(
          "/jwks",
          exchange -> {
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
          });
      jwks.start();
    }
    return "http://127.0.0.1:" + jwks.getAddress().getPort() + "/jwks";
  }

  /** The public key as a JWK set document. */
  public static String jwkSet() {
    RSAKey key = new RSAKey.Builder((RSAPublicKey) KEYS.getPublic()).keyID("test-1").build();
    return new JWKSet(key).toString();
  }

  /** A valid token for the user with the roles claim, five minutes long. */
  public static String token(String username, Object roles) {
    return signed(
        claims -> {
          claims.claim("preferred_username", username);
          if (roles != null) {
            claims.claim("roles", roles);
          }
        });
  }

  /**
   * A token signed with the provider's key: issuer, audience, subject, now to five minutes ahead,
   * then whatever {@code adjust} changes.
   */
  public static String signed(Consumer<JWTClaimsSet.Builder> adjust) {
    return sign(claims(adjust), KEYS);
  }

  /** The same claims, signed with a key the service does not trust. */
  public static String signedWithAnotherKey(Consumer<JWTClaimsSet.Builder> adjust) {
    return sign(claims(adjust), OTHER_KEYS);
  }

  /** The same claims with {@code alg: none} and no signature. */
  public static String unsigned(Consumer<JWTClaimsSet.Builder> adjust) {
    return remember(new PlainJWT(claims(adjust)).serialize());
  }

  private static JWTClaimsSet claims(Consumer<JWTClaimsSet.Builder> adjust) {
    Instant now = Instant.now();
    JWTClaimsSet.Builder claims =
        new JWTClaimsSet.Builder()
            .issuer(ISSUER)
            .audience(AUDIENCE)
            .subject("user-" + Long.toHexString(now.toEpochMilli()))
            .issueTime(Date.from(now))
            .notBeforeTime(Date.from(now.minusSeconds(1)))
            .expirationTime(Date.from(now.plus(Duration.ofMinutes(5))));
    adjust.accept(claims);
    return claims.build();
  }

  private static String sign(JWTClaimsSet claims, KeyPair keys) {
    try {
      SignedJWT jwt =
          new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("test-1").build(), claims);
      jwt.sign(new RSASSASigner((RSAPrivateKey) keys.getPrivate()));
      return remember(jwt.serialize());
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String remember(String token) {
    TestSecrets.remember(token);
    return token;
  }

  private static KeyPair generate() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(2048);
      return generator.generateKeyPair();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Path writePublicKey() {
    try {
      Path dir = Files.createDirectories(Path.of("target/test-jwt"));
      Path file = dir.resolve("public-" + ProcessHandle.current().pid() + ".pem");
      String pem =
          "-----BEGIN PUBLIC KEY-----\n"
              + Base64.getMimeEncoder(64, "\n".getBytes())
                  .encodeToString(KEYS.getPublic().getEncoded())
              + "\n-----END PUBLIC KEY-----\n";
      Files.writeString(file, pem);
      return file.toAbsolutePath();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
