package io.sparkgate.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import io.sparkgate.testing.Api;
import io.sparkgate.testing.FakeBackendTest;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.LivenessState;
import org.springframework.context.ApplicationContext;

/**
 * The liveness probe answered without the health endpoint (for callers without a token) says what
 * the endpoint says, in the same media type, when live and when broken, and still counts in the
 * request metrics under its own URI.
 */
class LivenessProbeTest extends FakeBackendTest {

  static final String PATH = "/actuator/health/liveness";

  @Autowired ApplicationContext context;
  @Autowired MeterRegistry meters;

  @AfterEach
  void live() {
    AvailabilityChangeEvent.publish(context, LivenessState.CORRECT);
  }

  @Test
  void anAnonymousProbeGetsWhatTheEndpointSays() {
    for (LivenessState state : new LivenessState[] {LivenessState.CORRECT, LivenessState.BROKEN}) {
      AvailabilityChangeEvent.publish(context, state);
      Api.Response probe = api.as(null).get(PATH);
      Api.Response endpoint = api.get(PATH); // with a token: the health endpoint itself
      int expected = state == LivenessState.CORRECT ? 200 : 503;
      String status = state == LivenessState.CORRECT ? "UP" : "DOWN";
      assertThat(endpoint.status()).as("%s, endpoint", state).isEqualTo(expected);
      assertThat(endpoint.text("status")).isEqualTo(status);
      assertThat(probe.status()).as("%s, probe", state).isEqualTo(expected);
      assertThat(probe.raw().body()).isEqualTo("{\"status\":\"" + status + "\"}");
      assertThat(probe.contentType()).isEqualTo(endpoint.contentType());
      for (String header :
          List.of(
              "Cache-Control",
              "Pragma",
              "Expires",
              "X-Content-Type-Options",
              "X-Frame-Options",
              "X-XSS-Protection")) {
        assertThat(probe.header(header)).as(header).isEqualTo(endpoint.header(header)).isNotNull();
      }
    }
  }

  @Test
  void theMediaTypeFollowsAcceptAsTheEndpointsDoes() {
    for (String accept :
        new String[] {"application/json", "*/*", "application/vnd.spring-boot.actuator.v3+json"}) {
      Api.Response probe = acceptingWith(api.as(null), accept);
      Api.Response endpoint = acceptingWith(api, accept);
      assertThat(probe.status()).isEqualTo(200);
      assertThat(probe.contentType()).as(accept).isEqualTo(endpoint.contentType());
    }
  }

  Api.Response acceptingWith(Api caller, String accept) {
    return caller.send(
        HttpRequest.newBuilder(URI.create(caller.url(PATH))).GET(), null, "Accept", accept);
  }

  @Test
  void probesCountInTheRequestMetricsUnderTheirUri() {
    double before = probes();
    for (int i = 0; i < 3; i++) {
      assertThat(api.as(null).get(PATH).status()).isEqualTo(200);
    }
    // The observation stops after the response is written: wait for it rather than race it.
    await().atMost(Duration.ofSeconds(10)).until(() -> probes() - before >= 3);
    assertThat(probes() - before).isEqualTo(3);
  }

  double probes() {
    var timer = meters.find("http.server.requests").tag("uri", PATH).tag("status", "200").timer();
    return timer == null ? 0 : timer.count();
  }
}
