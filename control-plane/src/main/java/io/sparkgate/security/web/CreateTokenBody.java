package io.sparkgate.security.web;

import io.swagger.v3.oas.annotations.media.Schema;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.ValueDeserializer;
import tools.jackson.databind.annotation.JsonDeserialize;

/** What an admin asks for: a name (the actor recorded for what the token does) and a role. */
public record CreateTokenBody(
    // A JSON number is refused, not turned into a name (schemathesis sent {"name": -2.00001}).
    @JsonDeserialize(using = TextOnly.class)
        @Schema(pattern = "^[A-Za-z0-9_.@-]{1,64}$", requiredMode = Schema.RequiredMode.REQUIRED)
        String name,
    @Schema(
            allowableValues = {"viewer", "operator", "admin"},
            requiredMode = Schema.RequiredMode.REQUIRED)
        String role,
    // Parsed by the service, so a wrong one is a field violation rather than a bare 400.
    @Schema(
            types = {"string", "null"},
            format = "date-time",
            description =
                "When the token stops working (RFC 3339, e.g. 2027-06-30T00:00:00Z); absent or"
                    + " null: never. At most three years ahead.")
        String expiresAt) {

  /** A JSON string only: Jackson would otherwise take a number or a boolean as its text. */
  static final class TextOnly extends ValueDeserializer<String> {
    @Override
    public String deserialize(JsonParser parser, DeserializationContext context) {
      if (!parser.hasToken(JsonToken.VALUE_STRING)) {
        return (String) context.handleUnexpectedToken(String.class, parser);
      }
      return parser.getString();
    }
  }
}
