package io.sparkgate.jobs.market;

import java.time.LocalDate;

/** Where each stage reads and writes under the pipeline's data directory. */
public record Paths(String data) {

  public String raw(LocalDate date, String endpointType) {
    return data + "/raw/trade_date=" + date + "/endpoint=" + endpointType;
  }

  public String rawAll(String endpointType) {
    return data + "/raw/trade_date=*/endpoint=" + endpointType;
  }

  public String curated(String table) {
    return data + "/curated/" + table;
  }

  public String quarantine() {
    return data + "/quarantine/bars";
  }

  public String adjusted(LocalDate asOf) {
    return data + "/adjusted/as_of=" + asOf;
  }

  public String analytics() {
    return data + "/analytics/daily";
  }

  public String quality(LocalDate date) {
    return data + "/quality/trade_date=" + date;
  }
}
