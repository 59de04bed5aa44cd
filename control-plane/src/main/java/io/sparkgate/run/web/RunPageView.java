package io.sparkgate.run.web;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.swagger.v3.oas.annotations.media.Schema;
import java.util.List;

/** A newest-first page of runs. */
@Schema(description = "A page of runs, newest first.")
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RunPageView(
    List<RunView> runs,
    @Schema(description = "Pass as cursor for the next page; absent on the last page.")
        String nextCursor) {}
