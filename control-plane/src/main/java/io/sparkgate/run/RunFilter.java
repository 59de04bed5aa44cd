package io.sparkgate.run;

import java.util.List;
import java.util.Set;

/**
 * What a run listing is restricted to; empty parts do not restrict. A run must carry every label
 * listed.
 */
public record RunFilter(String job, Set<RunState> states, List<Label> labels) {

  /** One required label. */
  public record Label(String key, String value) {}
}
