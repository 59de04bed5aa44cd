package io.sparkgate.catalog;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The type of a job parameter; values are validated and normalized by {@link ParameterBinder}. */
public enum ParameterType {
  STRING,
  INT,
  NUMBER,
  BOOLEAN,
  DATE,
  ENUM;

  @JsonValue
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  @JsonCreator
  public static ParameterType fromWireName(String value) {
    for (ParameterType type : values()) {
      if (type.wireName().equals(value)) {
        return type;
      }
    }
    throw new IllegalArgumentException(
        "parameter type must be one of: "
            + Arrays.stream(values())
                .map(ParameterType::wireName)
                .collect(Collectors.joining(", ")));
  }
}
