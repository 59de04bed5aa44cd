package io.sparkgate.security.web;

import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Instant;

/** What an admin asks for: a name (the actor recorded for what the token does) and a role. */
public record CreateTokenBody(
    @Schema(pattern = "^[A-Za-z0-9_.@-]{1,64}$", requiredMode = Schema.RequiredMode.REQUIRED)
        String name,
    @Schema(
            allowableValues = {"viewer", "operator", "admin"},
            requiredMode = Schema.RequiredMode.REQUIRED)
        String role,
    @Schema(description = "When the token stops working; absent: never. At most three years.")
        Instant expiresAt) {}
