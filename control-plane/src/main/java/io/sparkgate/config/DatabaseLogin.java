package io.sparkgate.config;

/**
 * Where the service's database is and how it logs in: {@code spring.datasource.*} for an external
 * database, or what the embedded PostgreSQL was given at start. Both connection pools use it.
 *
 * @param driverClassName null lets the driver be found from the URL
 */
record DatabaseLogin(String jdbcUrl, String username, String password, String driverClassName) {

  // Never the password: a login may end up in a log line.
  @Override
  public String toString() {
    return "DatabaseLogin[" + jdbcUrl + " as " + username + "]";
  }
}
