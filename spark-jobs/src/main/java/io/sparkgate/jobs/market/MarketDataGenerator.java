package io.sparkgate.jobs.market;

import io.sparkgate.jobs.common.Json;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A deterministic stand-in for a market-data vendor: daily OHLCV bars, splits and dividends for a
 * symbol universe, as raw JSON envelopes. Everything for (symbol, date) follows from a seed made of
 * the two, so a rerun for a date produces the same bytes. Prices follow a random walk from a fixed
 * start, splits divide later raw prices by their ratio, and a configurable share of bars carry
 * defects (a null close, a duplicate, high below low) for the pipeline to catch.
 */
public final class MarketDataGenerator {

  public static final ZoneId MARKET_ZONE = ZoneId.of("America/New_York");
  static final LocalDate START = LocalDate.of(2015, 1, 2);
  static final double SPLIT_PROBABILITY = 0.002;
  static final double DIVIDEND_PROBABILITY = 0.012;

  private final double defectRate;

  public MarketDataGenerator(double defectRate) {
    this.defectRate = defectRate;
  }

  /** The symbols of a universe of the given size: SYM0001, SYM0002, ... */
  public static List<String> universe(int size) {
    List<String> symbols = new ArrayList<>();
    for (int i = 1; i <= size; i++) {
      symbols.add(String.format("SYM%04d", i));
    }
    return symbols;
  }

  public static boolean isTradingDay(LocalDate date) {
    DayOfWeek day = date.getDayOfWeek();
    return day != DayOfWeek.SATURDAY && day != DayOfWeek.SUNDAY;
  }

  /** The raw envelopes of one endpoint type (bars, splits, dividends) for a date, as JSON lines. */
  public List<String> envelopes(List<String> symbols, LocalDate date, String endpointType) {
    List<String> lines = new ArrayList<>();
    if (!isTradingDay(date)) {
      return lines;
    }
    for (String symbol : symbols) {
      Day day = day(symbol, date);
      switch (endpointType) {
        case "bars" -> {
          Map<String, Object> bar = new LinkedHashMap<>();
          bar.put("t", day.timestampMillis);
          bar.put("o", day.open);
          bar.put("h", day.high);
          bar.put("l", day.low);
          bar.put("c", day.close);
          bar.put("v", day.volume);
          Random defects = new Random(seed(symbol, date) ^ 0x5EEDDEFEC7L);
          boolean duplicate = false;
          if (defects.nextDouble() < defectRate) {
            switch (defects.nextInt(3)) {
              case 0 -> bar.put("c", null);
              case 1 -> {
                bar.put("h", day.low);
                bar.put("l", day.high);
              }
              default -> duplicate = true;
            }
          }
          String line = envelope(symbol, date, "bars", bar);
          lines.add(line);
          if (duplicate) {
            lines.add(line);
          }
        }
        case "splits" -> {
          if (day.splitRatio > 1) {
            Map<String, Object> split = new LinkedHashMap<>();
            split.put("exDate", date.toString());
            split.put("numerator", day.splitRatio);
            split.put("denominator", 1);
            lines.add(envelope(symbol, date, "splits", split));
          }
        }
        case "dividends" -> {
          if (day.dividend > 0) {
            Map<String, Object> dividend = new LinkedHashMap<>();
            dividend.put("exDate", date.toString());
            dividend.put("amount", day.dividend);
            lines.add(envelope(symbol, date, "dividends", dividend));
          }
        }
        default -> throw new IllegalArgumentException("unknown endpoint type " + endpointType);
      }
    }
    return lines;
  }

  static String envelope(String symbol, LocalDate date, String type, Map<String, Object> payload) {
    Map<String, Object> envelope = new LinkedHashMap<>();
    envelope.put("symbol", symbol);
    envelope.put("source", "synthetic");
    envelope.put("endpointType", type);
    // Deterministic: the evening of the trade date, when a daily job would ingest it.
    envelope.put(
        "ingestedAt",
        ZonedDateTime.of(date, LocalTime.of(21, 30), MARKET_ZONE).toInstant().toString());
    envelope.put("tradeDate", date.toString());
    envelope.put("marketTimezone", MARKET_ZONE.getId());
    envelope.put("payload", payload);
    return Json.write(envelope);
  }

  /** One symbol's day: the walk from START replayed up to the date. */
  static Day day(String symbol, LocalDate date) {
    Day[] today = new Day[1];
    walk(symbol, date, date, (d, day) -> today[0] = day);
    if (today[0] == null) {
      throw new IllegalArgumentException(date + " is before " + START + " or not a trading day");
    }
    return today[0];
  }

  /** Every trading day of a symbol from {@code from} to {@code to}, walking from START once. */
  static void walk(
      String symbol,
      LocalDate from,
      LocalDate to,
      java.util.function.BiConsumer<LocalDate, Day> sink) {
    double level = 20 + Math.floorMod(symbol.hashCode(), 180);
    double rawClose = level;
    int cumulativeSplit = 1;
    for (LocalDate d = START; !d.isAfter(to); d = d.plusDays(1)) {
      if (!isTradingDay(d)) {
        continue;
      }
      Random r = new Random(seed(symbol, d));
      double previousRawClose = rawClose;
      double splitDraw = r.nextDouble();
      int ratio = r.nextInt(4) == 0 ? 3 : 2;
      // As in real markets, only an expensive share splits: prices never collapse toward zero.
      int split = splitDraw < SPLIT_PROBABILITY && previousRawClose > 60 ? ratio : 1;
      boolean pays = r.nextDouble() < DIVIDEND_PROBABILITY;
      level = level * Math.exp(r.nextGaussian() * 0.018 + 0.0002);
      cumulativeSplit *= split;
      double open = round(previousRawClose / split * (1 + r.nextGaussian() * 0.004));
      rawClose = round(level / cumulativeSplit);
      double high = round(Math.max(open, rawClose) * (1 + Math.abs(r.nextGaussian()) * 0.008));
      double low = round(Math.min(open, rawClose) * (1 - Math.abs(r.nextGaussian()) * 0.008));
      long volume = (long) (1_000_000 * (0.5 + r.nextDouble()) * cumulativeSplit);
      double dividend = pays ? round(previousRawClose / split * 0.006) : 0;
      if (!d.isBefore(from)) {
        long millis =
            ZonedDateTime.of(d, LocalTime.of(16, 0), MARKET_ZONE).toInstant().toEpochMilli();
        sink.accept(d, new Day(open, high, low, rawClose, volume, millis, split, dividend));
      }
    }
  }

  /** The raw bar envelope of one day, without defects: for bulk history generation. */
  static String barEnvelope(String symbol, LocalDate date, Day day) {
    Map<String, Object> bar = new LinkedHashMap<>();
    bar.put("t", day.timestampMillis);
    bar.put("o", day.open);
    bar.put("h", day.high);
    bar.put("l", day.low);
    bar.put("c", day.close);
    bar.put("v", day.volume);
    return envelope(symbol, date, "bars", bar);
  }

  private static long seed(String symbol, LocalDate date) {
    return symbol.hashCode() * 1_000_003L + date.toEpochDay();
  }

  private static double round(double price) {
    return Math.round(price * 10_000) / 10_000.0;
  }

  record Day(
      double open,
      double high,
      double low,
      double close,
      long volume,
      long timestampMillis,
      int splitRatio,
      double dividend) {}
}
