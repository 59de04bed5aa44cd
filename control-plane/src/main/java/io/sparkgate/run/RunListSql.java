package io.sparkgate.run;

import io.sparkgate.support.Json;
import io.sparkgate.support.SqlTime;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The statement of one run listing, for {@link RunRepository#list}: the filter's parts as named
 * parameters, its states as one branch each.
 *
 * <p>Every state is read by its own ordered index scan, newest first, and the branches are merged:
 * {@code state in (…)} over one index cannot come out ordered, so the planner would sort all runs
 * of the states or walk the newest-first index past every run of other states. Each branch stops
 * after {@code :limit} rows, which is what lets the planner merge them lazily instead of sorting
 * them. Without labels the scans are of {@code run_state_created} (or {@code run_job_state_created}
 * with a job); with labels they are of the first label's rows in {@code run_label}, which carry
 * their run's job, state and creation time, joined to their runs, which must carry any further
 * labels. The listing never runs in parallel workers: starting them costs more than a page (see
 * {@link RunRepository#list}).
 */
final class RunListSql {

  /** SQL text and its named parameters. */
  record Statement(String sql, Map<String, Object> params) {}

  /** The rows scanned in order and their columns: the runs', or their first label's copies. */
  private record Scanned(String from, String state, String createdAt, String id, String job) {
    static final Scanned RUNS = new Scanned("run", "state", "created_at", "id", "job_name");
    static final Scanned FIRST_LABEL =
        new Scanned(
            "run_label join run on id = run_id",
            "run_state",
            "run_created_at",
            "run_id",
            "run_job_name");
  }

  private final RunFilter filter;
  private final List<RunState> states;
  private final List<RunFilter.Label> labels;
  private final Json json;

  RunListSql(RunFilter filter, Json json) {
    this.filter = filter;
    this.states = states(filter.states());
    this.labels = filter.labels() == null ? List.of() : List.copyOf(filter.labels());
    this.json = json;
  }

  /** At most {@code limit} runs after the cursor that match the whole filter, newest first. */
  Statement page(PageCursor after, int limit) {
    Map<String, Object> params = new LinkedHashMap<>();
    params.put("limit", limit);
    Scanned scanned = labels.isEmpty() ? Scanned.RUNS : Scanned.FIRST_LABEL;
    List<String> common = new ArrayList<>();
    if (!labels.isEmpty()) {
      common.add("key = :labelKey and value = :labelValue");
      params.put("labelKey", labels.get(0).key());
      params.put("labelValue", labels.get(0).value());
      // Checked on each run of the first label, newest first: joined as rows of run_label, a
      // further label is taken as independent of the first, which it seldom is (a DAG's runs all
      // carry its team), and the planner then sorts every run of the two instead.
      for (int i = 1; i < labels.size(); i++) {
        RunFilter.Label label = labels.get(i);
        common.add("labels @> cast(:label" + i + " as jsonb)");
        params.put("label" + i, json.write(Map.of(label.key(), label.value())));
      }
    }
    if (filter.job() != null) {
      common.add(scanned.job() + " = :job");
      params.put("job", filter.job());
    }
    if (after != null) {
      common.add(
          "(" + scanned.createdAt() + ", " + scanned.id() + ") < (:afterCreatedAt, :afterId)");
      params.put("afterCreatedAt", SqlTime.param(after.createdAt()));
      params.put("afterId", after.id());
    }
    String select = "select " + RunRepository.RUN_COLUMNS + " from " + scanned.from();
    String order =
        " order by " + scanned.createdAt() + " desc, " + scanned.id() + " desc limit :limit";
    if (states.size() <= 1) {
      List<String> conditions = new ArrayList<>(common);
      if (states.size() == 1) {
        conditions.add(scanned.state() + " = :state0");
        params.put("state0", states.get(0).name());
      }
      return new Statement(select + where(conditions) + order, params);
    }
    List<String> branches = new ArrayList<>();
    for (int i = 0; i < states.size(); i++) {
      List<String> conditions = new ArrayList<>(common);
      conditions.add(scanned.state() + " = :state" + i);
      params.put("state" + i, states.get(i).name());
      branches.add("(" + select + where(conditions) + order + ")");
    }
    return new Statement(
        "select "
            + RunRepository.RUN_COLUMNS
            + " from ("
            + String.join(" union all ", branches)
            + ") per_state order by created_at desc, id desc limit :limit",
        params);
  }

  private static String where(List<String> conditions) {
    return conditions.isEmpty() ? "" : " where " + String.join(" and ", conditions);
  }

  /** The states to filter by, in a fixed order; none when the filter names none or all. */
  private static List<RunState> states(Set<RunState> requested) {
    if (requested == null || requested.isEmpty()) {
      return List.of();
    }
    EnumSet<RunState> states = EnumSet.copyOf(requested);
    return states.size() == RunState.values().length ? List.of() : List.copyOf(states);
  }
}
