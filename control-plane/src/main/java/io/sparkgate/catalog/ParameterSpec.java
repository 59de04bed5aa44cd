package io.sparkgate.catalog;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.swagger.v3.oas.annotations.media.Schema;
import java.util.List;

/**
 * A typed job parameter. {@code min} and {@code max} bound numbers by value, strings by length and
 * dates by date (ISO {@code yyyy-MM-dd}); {@code pattern} applies to strings (whole match); {@code
 * values} lists the choices of an enum.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@Schema(description = "A typed parameter of a job.")
public record ParameterSpec(
    @Schema(
            description = "string, int, number, boolean, date or enum",
            example = "date",
            requiredMode = Schema.RequiredMode.REQUIRED,
            allowableValues = {"string", "int", "number", "boolean", "date", "enum"})
        ParameterType type,
    @Schema(description = "Whether a run must give a value (when there is no default).")
        Boolean required,
    @JsonProperty("default")
        @Schema(
            name = "default",
            description = "Value used when a run gives none; must itself be valid.",
            example = "data/raw")
        Object defaultValue,
    @Schema(description = "Regular expression a string value must match entirely.") String pattern,
    @Schema(description = "Lower bound: a number's value, a string's length or an ISO date.")
        Object min,
    @Schema(description = "Upper bound: a number's value, a string's length or an ISO date.")
        Object max,
    @Schema(description = "The allowed values of an enum parameter.") List<String> values,
    @Schema(description = "What the parameter means.") String description) {

  public boolean mandatory() {
    return Boolean.TRUE.equals(required);
  }
}
