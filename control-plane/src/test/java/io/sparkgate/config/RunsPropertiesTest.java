package io.sparkgate.config;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validation;
import jakarta.validation.Validator;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.springframework.util.unit.DataSize;

class RunsPropertiesTest {

  final Validator validator = Validation.buildDefaultValidatorFactory().getValidator();

  static SparkgateProperties.Runs withMaxLogBytes(String size) {
    return new SparkgateProperties.Runs(
        0, Duration.ofHours(6), Duration.ofDays(14), Duration.ofSeconds(30), DataSize.parse(size));
  }

  @Test
  void aLogCapBelowOneKilobyteIsRefused() {
    Set<ConstraintViolation<SparkgateProperties.Runs>> violations =
        validator.validate(withMaxLogBytes("1023B"));
    assertThat(violations)
        .extracting(ConstraintViolation::getMessage)
        .containsExactly("sparkgate.runs.max-log-bytes must be at least 1KB");
  }

  @Test
  void theDefaultCapAndOneKilobyteAreAccepted() {
    assertThat(validator.validate(withMaxLogBytes("100MB"))).isEmpty();
    assertThat(validator.validate(withMaxLogBytes("1KB"))).isEmpty();
    assertThat(withMaxLogBytes("100MB").maxLogBytes().toBytes()).isEqualTo(100L << 20);
  }
}
