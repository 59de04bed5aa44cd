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
 * The statements of one run listing, for {@link RunRepository#list}: the filter's parts as named
 * parameters, its states as one branch each.
 *
 * <p>Every state is read by its own scan of {@code run_state_created} (or {@code
 * run_job_state_created} with a job), newest first, and the branches are merged: {@code state in
 * (…)} over one index cannot come out ordered, so the planner would sort all runs of the states or
 * walk the newest-first index past every run of other states. Each branch stops after {@code
 * :limit} rows, which is what lets the planner merge them lazily instead of sorting them.
 */
final class RunListSql {

  /** SQL text and its named parameters. */
  record Statement(String sql, Map<String, Object> params) {}

  private final RunFilter filter;
  private final List<RunState> states;
  private final List<String> labels;

  RunListSql(RunFilter filter, Json json) {
    this.filter = filter;
    this.states = states(filter.states());
    List<String> labels = new ArrayList<>();
    for (RunFilter.Label label :
        filter.labels() == null ? List.<RunFilter.Label>of() : filter.labels()) {
      labels.add(json.write(Map.of(label.key(), label.value())));
    }
    this.labels = List.copyOf(labels);
  }

  boolean hasLabels() {
    return !labels.isEmpty();
  }

  /** At most {@code limit} runs after the cursor that match the whole filter, newest first. */
  Statement page(PageCursor after, int limit) {
    Map<String, Object> params = new LinkedHashMap<>();
    params.put("limit", limit);
    return new Statement(ordered(columns(), true, after, "limit", params), params);
  }

  /**
   * At most {@code limit} runs that carry the labels among the newest {@code window} runs after the
   * cursor that match the job and states: a page, if the labels are common enough among them.
   */
  Statement hitsInWindow(PageCursor after, int window, int limit) {
    Map<String, Object> params = new LinkedHashMap<>();
    params.put("window", window);
    params.put("limit", limit);
    String candidates = ordered(columns(), false, after, "window", params);
    return new Statement(
        "select "
            + columns()
            + " from ("
            + candidates
            + ") candidate where "
            + String.join(" and ", labelConditions(params))
            + " order by created_at desc, id desc limit :limit",
        params);
  }

  /**
   * The last of the newest {@code window} runs after the cursor that match the job and states, if
   * there are that many: where the runs {@link #hitsInWindow} looked at end. Reads the indexes
   * only.
   */
  Statement windowEnd(PageCursor after, int window) {
    Map<String, Object> params = new LinkedHashMap<>();
    params.put("window", window);
    params.put("last", window - 1);
    String candidates = ordered("created_at, id", false, after, "window", params);
    return new Statement(
        "select created_at, id from ("
            + candidates
            + ") candidate order by created_at desc, id desc offset :last limit 1",
        params);
  }

  /**
   * The runs after the cursor that match the job, the states and (if {@code withLabels}) the
   * labels, newest first, at most {@code :<limitParam>} of them.
   */
  private String ordered(
      String columns,
      boolean withLabels,
      PageCursor after,
      String limitParam,
      Map<String, Object> params) {
    List<String> common = new ArrayList<>();
    if (filter.job() != null) {
      common.add("job_name = :job");
      params.put("job", filter.job());
    }
    if (withLabels) {
      common.addAll(labelConditions(params));
    }
    if (after != null) {
      common.add("(created_at, id) < (:afterCreatedAt, :afterId)");
      params.put("afterCreatedAt", SqlTime.param(after.createdAt()));
      params.put("afterId", after.id());
    }
    String order = " order by created_at desc, id desc limit :" + limitParam;
    if (states.size() <= 1) {
      List<String> conditions = new ArrayList<>(common);
      if (states.size() == 1) {
        conditions.add("state = :state0");
        params.put("state0", states.get(0).name());
      }
      return "select " + columns + " from run" + where(conditions) + order;
    }
    List<String> branches = new ArrayList<>();
    for (int i = 0; i < states.size(); i++) {
      List<String> conditions = new ArrayList<>(common);
      conditions.add("state = :state" + i);
      params.put("state" + i, states.get(i).name());
      branches.add("(select " + columns + " from run" + where(conditions) + order + ")");
    }
    return "select "
        + columns
        + " from ("
        + String.join(" union all ", branches)
        + ") per_state"
        + order;
  }

  private List<String> labelConditions(Map<String, Object> params) {
    List<String> conditions = new ArrayList<>();
    for (int i = 0; i < labels.size(); i++) {
      conditions.add("labels @> cast(:label" + i + " as jsonb)");
      params.put("label" + i, labels.get(i));
    }
    return conditions;
  }

  private static String where(List<String> conditions) {
    return conditions.isEmpty() ? "" : " where " + String.join(" and ", conditions);
  }

  private static String columns() {
    return RunRepository.RUN_COLUMNS;
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
