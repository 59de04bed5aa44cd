package io.sparkgate.catalog;

import io.sparkgate.error.ErrorKind;
import io.sparkgate.error.SparkgateException;
import io.sparkgate.error.SparkgateException.Violation;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Validates the parameters of a run against a job's declared parameters and normalizes them:
 * defaults applied, values converted to their canonical JSON form (int: long, number: BigDecimal
 * without trailing zeros, boolean, date and enum and string: string). Normalized parameters are
 * what the idempotency fingerprint and the argv are computed from.
 */
public final class ParameterBinder {

  /** The longest string value any parameter takes, whatever its own max says. */
  public static final int MAX_STRING_LENGTH = 4096;

  private ParameterBinder() {}

  /**
   * Returns the normalized parameters, sorted by name.
   *
   * @throws SparkgateException {@link ErrorKind#INVALID_PARAMETER} listing every violation
   */
  public static Map<String, Object> bind(Map<String, ParameterSpec> specs, Map<String, ?> given) {
    List<Violation> violations = new ArrayList<>();
    Map<String, Object> bound = new TreeMap<>();
    for (String name : given.keySet()) {
      if (!specs.containsKey(name)) {
        violations.add(new Violation("params." + name, "unknown parameter"));
      }
    }
    for (Map.Entry<String, ParameterSpec> entry : specs.entrySet()) {
      String name = entry.getKey();
      ParameterSpec spec = entry.getValue();
      Object raw = given.get(name);
      if (raw == null) {
        raw = spec.defaultValue();
      }
      if (raw == null) {
        if (spec.mandatory()) {
          violations.add(new Violation("params." + name, "is required"));
        }
        continue;
      }
      try {
        bound.put(name, convert(spec, raw));
      } catch (IllegalArgumentException e) {
        violations.add(new Violation("params." + name, e.getMessage()));
      }
    }
    if (!violations.isEmpty()) {
      throw SparkgateException.withViolations(
          ErrorKind.INVALID_PARAMETER,
          "The run's parameters are not valid for this job.",
          violations);
    }
    return bound;
  }

  /** Converts one value to its canonical form, or throws with a message for the client. */
  static Object convert(ParameterSpec spec, Object raw) {
    return switch (spec.type()) {
      case STRING -> {
        String value = asText(raw, "a string");
        if (value.length() > MAX_STRING_LENGTH) {
          throw new IllegalArgumentException(
              "must be at most " + MAX_STRING_LENGTH + " characters long");
        }
        checkLength(spec, value);
        if (spec.pattern() != null && !Pattern.compile(spec.pattern()).matcher(value).matches()) {
          throw new IllegalArgumentException("must match the pattern " + spec.pattern());
        }
        yield value;
      }
      case INT -> {
        long value = asLong(raw);
        checkRange(spec, BigDecimal.valueOf(value));
        yield value;
      }
      case NUMBER -> {
        BigDecimal value = asDecimal(raw);
        checkRange(spec, value);
        yield value.stripTrailingZeros();
      }
      case BOOLEAN -> asBoolean(raw);
      case DATE -> {
        LocalDate value = asDate(raw, "an ISO date (yyyy-MM-dd)");
        if (spec.min() != null && value.isBefore(asDate(spec.min(), "an ISO date"))) {
          throw new IllegalArgumentException("must not be before " + spec.min());
        }
        if (spec.max() != null && value.isAfter(asDate(spec.max(), "an ISO date"))) {
          throw new IllegalArgumentException("must not be after " + spec.max());
        }
        yield value.toString();
      }
      case ENUM -> {
        String value = asText(raw, "a string");
        List<String> values = spec.values() == null ? List.of() : spec.values();
        if (!values.contains(value)) {
          throw new IllegalArgumentException("must be one of " + values);
        }
        yield value;
      }
    };
  }

  /** The text a normalized value takes in argv. */
  public static String render(Object normalized) {
    if (normalized instanceof BigDecimal decimal) {
      return decimal.toPlainString();
    }
    return String.valueOf(normalized);
  }

  /** Checks that a parameter declaration is self-consistent; returns violations, if any. */
  public static List<Violation> checkSpec(String name, ParameterSpec spec) {
    String field = "parameters." + name;
    List<Violation> violations = new ArrayList<>();
    if (spec == null || spec.type() == null) {
      violations.add(new Violation(field + ".type", "is required"));
      return violations;
    }
    boolean isEnum = spec.type() == ParameterType.ENUM;
    if (isEnum && (spec.values() == null || spec.values().isEmpty())) {
      violations.add(new Violation(field + ".values", "an enum needs at least one value"));
    }
    if (!isEnum && spec.values() != null) {
      violations.add(new Violation(field + ".values", "only an enum has values"));
    }
    if (spec.pattern() != null) {
      if (spec.type() != ParameterType.STRING) {
        violations.add(new Violation(field + ".pattern", "only a string has a pattern"));
      } else {
        try {
          Pattern.compile(spec.pattern());
        } catch (PatternSyntaxException e) {
          violations.add(new Violation(field + ".pattern", "is not a valid regular expression"));
        }
      }
    }
    boolean bounded =
        switch (spec.type()) {
          case STRING, INT, NUMBER, DATE -> true;
          case BOOLEAN, ENUM -> false;
        };
    if (!bounded && (spec.min() != null || spec.max() != null)) {
      violations.add(new Violation(field, "min and max do not apply to " + spec.type().wireName()));
    }
    if (bounded) {
      for (Object bound : new Object[] {spec.min(), spec.max()}) {
        if (bound == null) {
          continue;
        }
        try {
          if (spec.type() == ParameterType.DATE) {
            asDate(bound, "an ISO date");
          } else {
            asDecimal(bound);
          }
        } catch (IllegalArgumentException e) {
          violations.add(new Violation(field, "min/max " + e.getMessage()));
        }
      }
    }
    if (violations.isEmpty() && spec.defaultValue() != null) {
      try {
        convert(spec, spec.defaultValue());
      } catch (IllegalArgumentException e) {
        violations.add(new Violation(field + ".default", e.getMessage()));
      }
    }
    return violations;
  }

  private static String asText(Object raw, String what) {
    if (raw instanceof String text) {
      return text;
    }
    throw new IllegalArgumentException("must be " + what);
  }

  private static void checkLength(ParameterSpec spec, String value) {
    int length = value.codePointCount(0, value.length());
    if (spec.min() != null && length < asDecimal(spec.min()).intValue()) {
      throw new IllegalArgumentException("must be at least " + spec.min() + " characters long");
    }
    if (spec.max() != null && length > asDecimal(spec.max()).intValue()) {
      throw new IllegalArgumentException("must be at most " + spec.max() + " characters long");
    }
  }

  private static void checkRange(ParameterSpec spec, BigDecimal value) {
    if (spec.min() != null && value.compareTo(asDecimal(spec.min())) < 0) {
      throw new IllegalArgumentException("must be at least " + spec.min());
    }
    if (spec.max() != null && value.compareTo(asDecimal(spec.max())) > 0) {
      throw new IllegalArgumentException("must be at most " + spec.max());
    }
  }

  // Airflow templates render every value as a string, so numbers, booleans and dates are also
  // accepted in their text form.
  private static long asLong(Object raw) {
    BigDecimal value = asDecimal(raw);
    try {
      return value.longValueExact();
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException("must be a whole number in the 64-bit range");
    }
  }

  private static BigDecimal asDecimal(Object raw) {
    if (raw instanceof Number number) {
      if (number instanceof Double || number instanceof Float) {
        double d = number.doubleValue();
        if (Double.isNaN(d) || Double.isInfinite(d)) {
          throw new IllegalArgumentException("must be a finite number");
        }
      }
      return new BigDecimal(number.toString());
    }
    if (raw instanceof String text && text.length() <= 100) {
      try {
        return new BigDecimal(text.trim());
      } catch (NumberFormatException e) {
        // fall through to the common message
      }
    }
    throw new IllegalArgumentException("must be a number");
  }

  private static boolean asBoolean(Object raw) {
    if (raw instanceof Boolean bool) {
      return bool;
    }
    if ("true".equals(raw)) {
      return true;
    }
    if ("false".equals(raw)) {
      return false;
    }
    throw new IllegalArgumentException("must be true or false");
  }

  private static LocalDate asDate(Object raw, String what) {
    if (raw instanceof String text) {
      try {
        return LocalDate.parse(text);
      } catch (DateTimeParseException e) {
        // fall through to the common message
      }
    }
    throw new IllegalArgumentException("must be " + what);
  }
}
