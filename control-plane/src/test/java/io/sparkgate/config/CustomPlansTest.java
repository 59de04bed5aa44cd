package io.sparkgate.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.sparkgate.support.CustomPlans;
import io.sparkgate.testing.FakeBackendTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The driver prepares a statement on the server once it has run a few times, after which PostgreSQL
 * may plan it generically; within {@link CustomPlans} it never does.
 */
class CustomPlansTest extends FakeBackendTest {

  @Autowired JdbcClient jdbc;
  @Autowired TransactionTemplate tx;

  /** Runs the statement ten times on one connection; returns whether the server prepared it. */
  boolean preparedOnTheServer(String marker, boolean customPlans) {
    return Boolean.TRUE.equals(
        tx.execute(
            status -> {
              String sql = "select count(*) from run where job_name = :job /* " + marker + " */";
              for (int i = 0; i < 10; i++) {
                if (customPlans) {
                  CustomPlans.during(
                      () -> jdbc.sql(sql).param("job", "x").query(Long.class).single());
                } else {
                  jdbc.sql(sql).param("job", "x").query(Long.class).single();
                }
              }
              return jdbc.sql(
                      "select count(*) > 0 from pg_prepared_statements where statement like :like")
                  .param("like", "%" + marker + "%")
                  .query(Boolean.class)
                  .single();
            }));
  }

  @Test
  void statementsWithinCustomPlansAreNeverPreparedOnTheServer() {
    assertThat(preparedOnTheServer("prepared-as-usual", false)).isTrue();
    assertThat(preparedOnTheServer("planned-for-its-values", true)).isFalse();
  }
}
