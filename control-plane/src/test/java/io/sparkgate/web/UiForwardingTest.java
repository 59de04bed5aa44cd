package io.sparkgate.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import org.junit.jupiter.api.Test;

/** A UI's redirects stay within the service, under the UI's path there. */
class UiForwardingTest {

  static final URI DRIVER = URI.create("http://127.0.0.1:41234");
  static final String CONTEXT = "/api/v1/runs/r/spark-ui";

  @Test
  void anAbsoluteRedirectToTheUiBecomesAPathOfTheService() {
    assertThat(
            UiForwarding.localLocation(
                "http://127.0.0.1:41234/api/v1/runs/r/spark-ui/jobs/", DRIVER, CONTEXT))
        .isEqualTo(CONTEXT + "/jobs/");
  }

  @Test
  void aRedirectThatIgnoredTheForwardedContextIsPutUnderIt() {
    // A driver UI's root redirects to /jobs/ without the context it was given.
    assertThat(UiForwarding.localLocation("http://127.0.0.1:41234/jobs/", DRIVER, CONTEXT))
        .isEqualTo(CONTEXT + "/jobs/");
    assertThat(UiForwarding.localLocation("/jobs/", DRIVER, CONTEXT)).isEqualTo(CONTEXT + "/jobs/");
    assertThat(UiForwarding.localLocation(CONTEXT, DRIVER, CONTEXT)).isEqualTo(CONTEXT);
  }

  @Test
  void aRedirectElsewhereIsLeftAsItIs() {
    assertThat(UiForwarding.localLocation("https://example.com/x", DRIVER, CONTEXT))
        .isEqualTo("https://example.com/x");
    assertThat(UiForwarding.localLocation("stages/", DRIVER, CONTEXT)).isEqualTo("stages/");
  }
}
