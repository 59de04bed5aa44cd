package io.sparkgate.run;

import java.util.Map;
import java.util.Set;

/** What a run listing is restricted to; empty parts do not restrict. */
public record RunFilter(String job, Set<RunState> states, Map<String, String> labels) {}
