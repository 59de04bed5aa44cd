package io.sparkgate.listener;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Sends the listener's counts to the run: whenever they changed, at most once an interval, from a
 * daemon thread of its own; once more, with the resource usage marked final, when the application
 * ends. A report that fails is dropped (the next carries the same counts and more); nothing here
 * fails or holds up the job for more than the final report's timeout.
 */
final class ProgressReporter {

  private static final Duration TIMEOUT = Duration.ofSeconds(5);

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(TIMEOUT).version(HttpClient.Version.HTTP_1_1).build();
  private final URI url;
  private final String token;
  private final int attempt;
  private final String uiUrl;
  private final ProgressListener listener;
  private final long intervalMs;
  private final AtomicBoolean finished = new AtomicBoolean();
  private volatile Thread thread;
  private long sentVersion = -1;

  ProgressReporter(
      String url,
      String token,
      int attempt,
      String uiUrl,
      ProgressListener listener,
      long intervalMs) {
    this.url = URI.create(url);
    this.token = token;
    this.attempt = attempt;
    this.uiUrl = uiUrl;
    this.listener = listener;
    this.intervalMs = Math.max(100, intervalMs);
  }

  void start() {
    Thread t =
        new Thread(
            () -> {
              // The first report says where the UI is, before any job has started.
              while (!finished.get()) {
                long version = listener.version();
                if (version != sentVersion) {
                  if (send(false)) {
                    sentVersion = version;
                  }
                }
                try {
                  Thread.sleep(intervalMs);
                } catch (InterruptedException e) {
                  return;
                }
              }
            },
            "sparkgate-progress");
    t.setDaemon(true);
    thread = t;
    t.start();
  }

  /** The last report, with the final resource usage; the first call sends, later ones do not. */
  void finish() {
    if (!finished.compareAndSet(false, true)) {
      return;
    }
    Thread t = thread;
    if (t != null) {
      t.interrupt();
    }
    send(true);
  }

  private boolean send(boolean last) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("attempt", attempt);
    // The UI stops with the application: the last report takes the link back.
    body.put("sparkUiUrl", last ? null : uiUrl);
    body.put("progress", listener.progress());
    Map<String, Object> resources = new LinkedHashMap<>(listener.resources());
    resources.put("final", last);
    body.put("resources", resources);
    HttpRequest request =
        HttpRequest.newBuilder(url)
            .timeout(TIMEOUT)
            .header("Content-Type", "application/json")
            .header("Authorization", "Bearer " + token)
            .POST(HttpRequest.BodyPublishers.ofString(JsonText.of(body)))
            .build();
    try {
      HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() >= 300) {
        System.err.println(
            "sparkgate progress: rejected with " + response.statusCode() + ": " + response.body());
        return false;
      }
      return true;
    } catch (IOException e) {
      System.err.println("sparkgate progress: " + e);
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
