package io.sparkgate.catalog;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** What kind of application a job runs. */
public enum JobType {
  /** A JVM jar with a main class. */
  JVM,
  /** A Python script, run with PySpark. */
  PYTHON;

  @JsonValue
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  @JsonCreator
  public static JobType fromWireName(String value) {
    for (JobType type : values()) {
      if (type.wireName().equals(value)) {
        return type;
      }
    }
    throw new IllegalArgumentException("type must be one of: jvm, python");
  }
}
