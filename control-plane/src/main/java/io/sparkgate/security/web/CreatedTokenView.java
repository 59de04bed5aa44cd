package io.sparkgate.security.web;

import io.swagger.v3.oas.annotations.media.Schema;

/** A token just created: its record and, this once, its secret. */
public record CreatedTokenView(
    @Schema(
            description =
                "The bearer token. Shown only in this answer: Sparkgate keeps its SHA-256 only.")
        String token,
    TokenView details) {}
