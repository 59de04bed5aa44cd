package io.sparkgate.jobs.market;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.Test;

class MarketDataGeneratorTest {

  static final LocalDate DAY = LocalDate.of(2024, 3, 14);

  @Test
  void theSameDateGivesTheSameBytes() {
    List<String> symbols = MarketDataGenerator.universe(50);
    assertThat(new MarketDataGenerator(0.05).envelopes(symbols, DAY, "bars"))
        .isEqualTo(new MarketDataGenerator(0.05).envelopes(symbols, DAY, "bars"));
  }

  @Test
  void barsAreSaneWithoutDefectsAndDefectsAppearAtTheirRate() {
    List<String> symbols = MarketDataGenerator.universe(400);
    List<String> clean = new MarketDataGenerator(0).envelopes(symbols, DAY, "bars");
    assertThat(clean)
        .hasSize(400)
        .allSatisfy(line -> assertThat(line).doesNotContain("\"c\":null"));
    for (String symbol : symbols.subList(0, 50)) {
      MarketDataGenerator.Day day = MarketDataGenerator.day(symbol, DAY);
      assertThat(day.high()).isGreaterThanOrEqualTo(Math.max(day.open(), day.close()));
      assertThat(day.low()).isLessThanOrEqualTo(Math.min(day.open(), day.close()));
      assertThat(day.volume()).isPositive();
    }
    List<String> defective = new MarketDataGenerator(0.3).envelopes(symbols, DAY, "bars");
    long nulls = defective.stream().filter(l -> l.contains("\"c\":null")).count();
    assertThat(defective.size()).isGreaterThan(400);
    assertThat(nulls).isBetween(20L, 70L);
  }

  @Test
  void weekendsHaveNoData() {
    assertThat(
            new MarketDataGenerator(0)
                .envelopes(List.of("SYM0001"), LocalDate.of(2024, 3, 16), "bars"))
        .isEmpty();
  }

  @Test
  void splitsAndDividendsOccurOverAYear() {
    List<String> symbols = MarketDataGenerator.universe(40);
    MarketDataGenerator generator = new MarketDataGenerator(0);
    int splits = 0;
    int dividends = 0;
    for (LocalDate d = LocalDate.of(2023, 1, 2);
        d.isBefore(LocalDate.of(2024, 1, 1));
        d = d.plusDays(1)) {
      splits += generator.envelopes(symbols, d, "splits").size();
      dividends += generator.envelopes(symbols, d, "dividends").size();
    }
    assertThat(splits).isPositive();
    assertThat(dividends).isGreaterThan(splits);
  }
}
