package io.sparkgate.testing;

import io.sparkgate.launch.AppState;
import io.sparkgate.launch.DriverExit;
import io.sparkgate.launch.DriverHandle;
import io.sparkgate.launch.DriverObserver;
import io.sparkgate.launch.DriverRef;
import io.sparkgate.launch.LaunchException;
import io.sparkgate.launch.LaunchSpec;
import io.sparkgate.launch.SparkBackend;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A backend for fast tests of the service's logic: every launch "runs" until the test ends it.
 * Drivers stop when asked, unless told to ignore stops (then only a kill ends them).
 */
public class FakeSparkBackend implements SparkBackend {

  private final Map<UUID, FakeDriver> drivers = new ConcurrentHashMap<>();
  private final List<LaunchSpec> launches = new CopyOnWriteArrayList<>();
  private final List<UUID> reattaches = new CopyOnWriteArrayList<>();
  private volatile boolean ignoreStops;

  @Override
  public DriverHandle launch(LaunchSpec spec, DriverObserver observer) throws LaunchException {
    launches.add(spec);
    TestSecrets.remember(spec.metricsToken());
    if (spec.appResource().contains("unlaunchable")) {
      throw new LaunchException("fake: cannot launch " + spec.appResource(), null);
    }
    if (spec.appResource().contains("no-disk")) {
      throw new LaunchException("fake: no space left on device", null, true);
    }
    FakeDriver driver = new FakeDriver(spec.runId(), spec, observer, ignoreStops, spec.offHost());
    drivers.put(spec.runId(), driver);
    if (spec.offHost()) {
      observer.onDriverId("driver-fake-" + spec.runId());
    }
    observer.onAppId("fake-" + spec.runId() + "-" + spec.attempt());
    observer.onRunning();
    return driver;
  }

  /** Cluster drivers are re-attached: the new watcher replaces the old one for the test. */
  @Override
  public Optional<DriverHandle> reattach(DriverRef ref, DriverObserver observer) {
    if (!"cluster".equals(ref.deployMode())) {
      return Optional.empty();
    }
    reattaches.add(ref.runId());
    FakeDriver driver = new FakeDriver(ref.runId(), null, observer, ignoreStops, true);
    drivers.put(ref.runId(), driver);
    return Optional.of(driver);
  }

  /** How often a run's driver was re-attached (adopted). */
  public long reattachesOf(UUID runId) {
    return reattaches.stream().filter(runId::equals).count();
  }

  @Override
  public boolean isAvailable() {
    return true;
  }

  @Override
  public String describe() {
    return "fake";
  }

  public void ignoreStops(boolean ignore) {
    this.ignoreStops = ignore;
  }

  /** Every launch so far, in order. */
  public List<LaunchSpec> launches() {
    return List.copyOf(launches);
  }

  public long launchesOf(UUID runId) {
    return launches.stream().filter(s -> s.runId().equals(runId)).count();
  }

  public FakeDriver driver(UUID runId) {
    FakeDriver driver = drivers.get(runId);
    if (driver == null) {
      throw new AssertionError("run " + runId + " was never launched");
    }
    return driver;
  }

  public boolean launched(UUID runId) {
    return drivers.containsKey(runId);
  }

  /** One fake driver: the test ends it with {@link #succeed()} or {@link #fail(String)}. */
  public static final class FakeDriver implements DriverHandle {
    private final UUID runId;
    private final LaunchSpec spec;
    private final DriverObserver observer;
    private final boolean ignoreStops;
    private final boolean offHost;
    private volatile boolean alive = true;
    private volatile boolean stopRequested;
    private volatile boolean killed;
    private volatile boolean detached;

    FakeDriver(
        UUID runId,
        LaunchSpec spec,
        DriverObserver observer,
        boolean ignoreStops,
        boolean offHost) {
      this.runId = runId;
      this.spec = spec;
      this.observer = observer;
      this.ignoreStops = ignoreStops;
      this.offHost = offHost;
    }

    public UUID runId() {
      return runId;
    }

    /** Whether a kill reached this driver (a stop it ignored, a fence, a takeover). */
    public boolean killed() {
      return killed;
    }

    /** Whether its watcher stopped watching without touching it. */
    public boolean detached() {
      return detached;
    }

    /** The application reports it finished; the exit follows with {@link #succeed()}. */
    public void reportFinished() {
      observer.onFinished();
    }

    @Override
    public boolean survivesInstance() {
      return offHost;
    }

    @Override
    public void detach() {
      detached = true;
    }

    public LaunchSpec spec() {
      return spec;
    }

    public boolean alive() {
      return alive;
    }

    public boolean stopRequested() {
      return stopRequested;
    }

    public void succeed() {
      end(new DriverExit(0, AppState.FINISHED, null));
    }

    public void fail(String error) {
      end(new DriverExit(1, AppState.FINISHED, error));
    }

    @Override
    public void requestStop() {
      stopRequested = true;
      if (!ignoreStops) {
        end(new DriverExit(143, AppState.KILLED, null));
      }
    }

    @Override
    public void kill() {
      killed = true;
      end(new DriverExit(137, AppState.KILLED, null));
    }

    @Override
    public OptionalLong pid() {
      return OptionalLong.empty();
    }

    private synchronized void end(DriverExit exit) {
      if (alive) {
        alive = false;
        observer.onExit(exit);
      }
    }
  }
}
