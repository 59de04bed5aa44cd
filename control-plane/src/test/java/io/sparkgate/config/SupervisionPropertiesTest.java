package io.sparkgate.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class SupervisionPropertiesTest {

  static SparkgateProperties.Supervision with(Duration heartbeat, Duration lease) {
    return new SparkgateProperties.Supervision(Duration.ofSeconds(1), heartbeat, lease, true, 4);
  }

  @Test
  void aLeaseShorterThanTwoHeartbeatsIsRefusedAtStart() {
    assertThatThrownBy(() -> with(Duration.ofSeconds(5), Duration.ofSeconds(9)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "sparkgate.supervision.lease-time must be at least twice the heartbeat interval");
  }

  @Test
  void othersTakeOverAfterTheLeasePlusTwoHeartbeats() {
    assertThat(with(Duration.ofSeconds(5), Duration.ofSeconds(60)).takeoverTime())
        .isEqualTo(Duration.ofSeconds(70));
    assertThat(with(Duration.ofSeconds(1), Duration.ofSeconds(2)).takeoverTime())
        .isEqualTo(Duration.ofSeconds(4));
  }
}
