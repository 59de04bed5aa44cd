package io.sparkgate.jobs.common;

import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@code --name value} arguments of a job, with typed accessors and clear errors. */
public final class Args {

  private final Map<String, String> values;

  private Args(Map<String, String> values) {
    this.values = values;
  }

  public static Args parse(String[] args) {
    Map<String, String> values = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      if (!args[i].startsWith("--") || i + 1 >= args.length) {
        throw new IllegalArgumentException("expected --name value pairs, got: " + args[i]);
      }
      values.put(args[i].substring(2), args[++i]);
    }
    return new Args(values);
  }

  public String string(String name, String fallback) {
    return values.getOrDefault(name, fallback);
  }

  public String required(String name) {
    String value = values.get(name);
    if (value == null || value.isEmpty()) {
      throw new IllegalArgumentException("--" + name + " is required");
    }
    return value;
  }

  public LocalDate date(String name) {
    return LocalDate.parse(required(name));
  }

  public double number(String name, double fallback) {
    String value = values.get(name);
    return value == null || value.isEmpty() ? fallback : Double.parseDouble(value);
  }

  public int integer(String name, int fallback) {
    String value = values.get(name);
    return value == null || value.isEmpty() ? fallback : Integer.parseInt(value);
  }

  public boolean flag(String name) {
    return Boolean.parseBoolean(values.getOrDefault(name, "false"));
  }
}
