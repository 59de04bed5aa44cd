package io.sparkgate.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sparkgate.error.ErrorKind;
import io.sparkgate.error.SparkgateException;
import io.sparkgate.error.SparkgateException.Violation;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ParameterBinderTest {

  static ParameterSpec spec(ParameterType type) {
    return new ParameterSpec(type, null, null, null, null, null, null, null);
  }

  static ParameterSpec required(ParameterType type) {
    return new ParameterSpec(type, true, null, null, null, null, null, null);
  }

  @Test
  void appliesDefaultsAndNormalizesEveryType() {
    Map<String, ParameterSpec> specs = new LinkedHashMap<>();
    specs.put("date", required(ParameterType.DATE));
    specs.put(
        "input",
        new ParameterSpec(ParameterType.STRING, null, "data/raw", null, null, null, null, null));
    specs.put("rows", spec(ParameterType.INT));
    specs.put("ratio", spec(ParameterType.NUMBER));
    specs.put("force", spec(ParameterType.BOOLEAN));
    specs.put(
        "mode",
        new ParameterSpec(
            ParameterType.ENUM, null, null, null, null, null, List.of("full", "delta"), null));

    Map<String, Object> bound =
        ParameterBinder.bind(
            specs,
            Map.of(
                "date",
                "2024-03-15",
                "rows",
                "42",
                "ratio",
                1.50,
                "force",
                "true",
                "mode",
                "delta"));

    assertThat(bound)
        .containsEntry("date", "2024-03-15")
        .containsEntry("input", "data/raw")
        .containsEntry("rows", 42L)
        .containsEntry("ratio", new BigDecimal("1.5"))
        .containsEntry("force", true)
        .containsEntry("mode", "delta");
    assertThat(bound.keySet()).containsExactly("date", "force", "input", "mode", "ratio", "rows");
  }

  @Test
  void equalValuesNormalizeEqually() {
    Map<String, ParameterSpec> specs =
        Map.of("ratio", spec(ParameterType.NUMBER), "n", spec(ParameterType.INT));
    assertThat(ParameterBinder.bind(specs, Map.of("ratio", "2.50", "n", 7.0)))
        .isEqualTo(ParameterBinder.bind(specs, Map.of("ratio", 2.5, "n", "7")));
  }

  @Test
  void reportsEveryViolationAtOnce() {
    Map<String, ParameterSpec> specs = new LinkedHashMap<>();
    specs.put("date", required(ParameterType.DATE));
    specs.put("rows", new ParameterSpec(ParameterType.INT, null, null, null, 1, 100, null, null));
    specs.put(
        "name",
        new ParameterSpec(ParameterType.STRING, null, null, "[a-z]+", null, null, null, null));

    assertThatThrownBy(
            () -> ParameterBinder.bind(specs, Map.of("rows", 101, "name", "Bad Name", "extra", 1)))
        .isInstanceOfSatisfying(
            SparkgateException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(ErrorKind.INVALID_PARAMETER);
              @SuppressWarnings("unchecked")
              List<Violation> errors = (List<Violation>) e.properties().get("errors");
              assertThat(errors)
                  .extracting(Violation::field)
                  .containsExactlyInAnyOrder(
                      "params.extra", "params.date", "params.rows", "params.name");
            });
  }

  @Test
  void rejectsValuesOfTheWrongType() {
    assertInvalid(spec(ParameterType.INT), "1.5", "whole number");
    assertInvalid(spec(ParameterType.INT), "ten", "number");
    assertInvalid(spec(ParameterType.NUMBER), "NaN", "number");
    assertInvalid(spec(ParameterType.BOOLEAN), "yes", "true or false");
    assertInvalid(spec(ParameterType.DATE), "2024-02-30", "ISO date");
    assertInvalid(spec(ParameterType.DATE), 20240215, "ISO date");
    assertInvalid(spec(ParameterType.STRING), 5, "string");
    assertInvalid(
        new ParameterSpec(
            ParameterType.ENUM, null, null, null, null, null, List.of("a", "b"), null),
        "c",
        "one of [a, b]");
  }

  @Test
  void boundsApplyPerType() {
    assertInvalid(
        new ParameterSpec(ParameterType.NUMBER, null, null, null, 0, 1, null, null),
        1.01,
        "at most 1");
    assertInvalid(
        new ParameterSpec(ParameterType.STRING, null, null, null, 2, 3, null, null),
        "abcd",
        "at most 3 characters");
    assertInvalid(
        new ParameterSpec(ParameterType.DATE, null, null, null, "2020-01-01", null, null, null),
        "2019-12-31",
        "not be before 2020-01-01");
    assertThat(
            ParameterBinder.bind(
                Map.of(
                    "d",
                    new ParameterSpec(
                        ParameterType.DATE,
                        null,
                        null,
                        null,
                        "2020-01-01",
                        "2020-12-31",
                        null,
                        null)),
                Map.of("d", "2020-06-01")))
        .containsEntry("d", "2020-06-01");
  }

  @Test
  void stringsHaveAGlobalLengthCap() {
    assertInvalid(spec(ParameterType.STRING), "x".repeat(4097), "at most 4096 characters");
    assertThat(
            ParameterBinder.bind(
                Map.of("p", spec(ParameterType.STRING)), Map.of("p", "x".repeat(4096))))
        .containsKey("p");
  }

  @Test
  void patternMustMatchTheWholeValue() {
    ParameterSpec path =
        new ParameterSpec(
            ParameterType.STRING, null, null, "[A-Za-z0-9_./-]+", null, null, null, null);
    assertInvalid(path, "data/raw; rm -rf /", "pattern");
    assertThat(ParameterBinder.bind(Map.of("p", path), Map.of("p", "data/raw")))
        .containsEntry("p", "data/raw");
  }

  @Test
  void checksDeclarationsForConsistency() {
    assertThat(
            ParameterBinder.checkSpec(
                "m",
                new ParameterSpec(ParameterType.ENUM, null, null, null, null, null, null, null)))
        .extracting(Violation::message)
        .containsExactly("an enum needs at least one value");
    assertThat(
            ParameterBinder.checkSpec(
                "n", new ParameterSpec(ParameterType.INT, null, "x", null, null, null, null, null)))
        .extracting(Violation::field)
        .containsExactly("parameters.n.default");
    assertThat(
            ParameterBinder.checkSpec(
                "s",
                new ParameterSpec(ParameterType.STRING, null, null, "(", null, null, null, null)))
        .extracting(Violation::message)
        .containsExactly("is not a valid regular expression");
    assertThat(
            ParameterBinder.checkSpec(
                "b",
                new ParameterSpec(ParameterType.BOOLEAN, null, null, null, 1, null, null, null)))
        .hasSize(1);
    assertThat(ParameterBinder.checkSpec("ok", required(ParameterType.DATE))).isEmpty();
  }

  private static void assertInvalid(ParameterSpec spec, Object value, String messagePart) {
    assertThatThrownBy(() -> ParameterBinder.bind(Map.of("p", spec), Map.of("p", value)))
        .isInstanceOfSatisfying(
            SparkgateException.class,
            e -> {
              @SuppressWarnings("unchecked")
              List<Violation> errors = (List<Violation>) e.properties().get("errors");
              assertThat(errors)
                  .singleElement()
                  .satisfies(v -> assertThat(v.message()).contains(messagePart));
            });
  }
}
