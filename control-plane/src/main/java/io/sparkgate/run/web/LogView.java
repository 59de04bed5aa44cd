package io.sparkgate.run.web;

import io.swagger.v3.oas.annotations.media.Schema;

/** A slice of a driver log. */
@Schema(description = "A slice of an attempt's driver log, by byte offset.")
public record LogView(
    @Schema(example = "1") int attempt,
    @Schema(description = "Byte offset of the first byte of text.", example = "0") long offset,
    @Schema(description = "Offset to ask for next.", example = "65536") long nextOffset,
    @Schema(description = "Size of the whole log in bytes now.", example = "183211") long size,
    @Schema(description = "True when the attempt has ended: the log will not grow.")
        boolean complete,
    @Schema(
            description =
                "Bytes of driver output the log does not keep (0 when it keeps everything): past"
                    + " sparkgate.runs.max-log-bytes, the log keeps the first and the last bytes"
                    + " with a marker line between them. While the attempt runs, what follows"
                    + " the marker is the current tail and moves on as the driver prints.",
            example = "0")
        long droppedBytes,
    @Schema(
            description =
                "The bytes as UTF-8 text (a character cut at the slice's edges shows"
                    + " as U+FFFD).")
        String text) {}
