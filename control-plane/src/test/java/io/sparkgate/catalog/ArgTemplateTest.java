package io.sparkgate.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ArgTemplateTest {

  @Test
  void replacesReferencesWithRenderedValues() {
    List<String> argv =
        ArgTemplate.render(
            List.of(
                "--date",
                "${date}",
                "--path=${base}/${date}",
                "--ratio",
                "${ratio}",
                "--n",
                "${n}"),
            Map.of(
                "date",
                "2024-03-15",
                "base",
                "data/raw",
                "ratio",
                new BigDecimal("1E+2"),
                "n",
                7L));
    assertThat(argv)
        .containsExactly(
            "--date", "2024-03-15", "--path=data/raw/2024-03-15", "--ratio", "100", "--n", "7");
  }

  @Test
  void aValueStaysOneArgumentWhateverItHolds() {
    List<String> argv =
        ArgTemplate.render(List.of("${text}"), Map.of("text", "a b; $(rm -rf /) `x` ${y}"));
    assertThat(argv).containsExactly("a b; $(rm -rf /) `x` ${y}");
  }

  @Test
  void doubleDollarEscapesAReference() {
    assertThat(ArgTemplate.render(List.of("$${date} is ${date}"), Map.of("date", "d")))
        .containsExactly("${date} is d");
    assertThat(ArgTemplate.references("$${date} ${a}${b}")).containsExactly("a", "b");
  }

  @Test
  void malformedTemplatesAreRefused() {
    assertThatThrownBy(() -> ArgTemplate.references("--x ${date")).hasMessageContaining("unclosed");
    assertThatThrownBy(() -> ArgTemplate.references("${}")).hasMessageContaining("empty");
    assertThatThrownBy(() -> ArgTemplate.render(List.of("${missing}"), Map.of()))
        .hasMessageContaining("missing");
  }
}
