package io.sparkgate.run;

import io.sparkgate.error.ErrorKind;
import io.sparkgate.error.SparkgateException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.UUID;

/**
 * Where a newest-first page of runs continues: the (createdAt, id) of the last run shown. Opaque to
 * clients (base64url), so the encoding can change.
 */
public record PageCursor(Instant createdAt, UUID id) {

  public String encode() {
    String raw = createdAt.getEpochSecond() + "." + createdAt.getNano() + ":" + id;
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(raw.getBytes(StandardCharsets.UTF_8));
  }

  public static PageCursor decode(String cursor) {
    try {
      String raw = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
      int colon = raw.indexOf(':');
      int dot = raw.indexOf('.');
      if (colon < 0 || dot < 0 || dot > colon) {
        throw new IllegalArgumentException("bad cursor");
      }
      Instant at =
          Instant.ofEpochSecond(
              Long.parseLong(raw.substring(0, dot)), Long.parseLong(raw.substring(dot + 1, colon)));
      return new PageCursor(at, UUID.fromString(raw.substring(colon + 1)));
    } catch (IllegalArgumentException | java.time.DateTimeException e) {
      throw new SparkgateException(
          ErrorKind.INVALID_REQUEST, "cursor is not a cursor this service returned");
    }
  }
}
