package io.sparkgate.run.web;

import io.swagger.v3.oas.annotations.media.Schema;
import java.util.List;

/** A newest-first page of runs. */
@Schema(description = "A page of runs, newest first.")
public record RunPageView(
    List<RunView> runs,
    @Schema(description = "Pass as cursor for the next page; absent on the last page.")
        String nextCursor) {}
