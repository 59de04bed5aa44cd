package io.sparkgate.jobs.market;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.LocalDate;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;

/** Writing one date's partition so that a rerun replaces it, whatever it held before. */
final class Partitions {

  private Partitions() {}

  /**
   * Replaces the {@code trade_date=<date>} partition of a Parquet table with {@code rows}. Dynamic
   * partition overwrite replaces only the partitions present in the data, so an empty result must
   * delete the partition explicitly, or a rerun would leave the previous run's rows.
   */
  static void replace(SparkSession spark, Dataset<Row> rows, String table, LocalDate date) {
    if (rows.isEmpty()) {
      delete(spark, table + "/trade_date=" + date);
      return;
    }
    rows.write().mode(SaveMode.Overwrite).partitionBy("trade_date").parquet(table);
  }

  /**
   * An order-independent fingerprint of a table's rows (XOR of their 64-bit hashes): equal content
   * gives an equal checksum whatever the file layout, which is how reruns are compared.
   */
  static String checksum(Dataset<Row> rows) {
    Row row = rows.selectExpr("bit_xor(xxhash64(*)) as checksum", "count(*) as n").first();
    return Long.toHexString(row.isNullAt(0) ? 0 : row.getLong(0)) + "/" + row.getLong(1);
  }

  static void delete(SparkSession spark, String path) {
    try {
      Path p = new Path(path);
      FileSystem fs = p.getFileSystem(spark.sparkContext().hadoopConfiguration());
      fs.delete(p, true);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static boolean exists(SparkSession spark, String path) {
    try {
      Path p = new Path(path);
      return p.getFileSystem(spark.sparkContext().hadoopConfiguration()).exists(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
