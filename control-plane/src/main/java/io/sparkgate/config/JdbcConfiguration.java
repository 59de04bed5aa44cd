package io.sparkgate.config;

import io.sparkgate.support.CustomPlans;
import io.sparkgate.support.StatementTimeout;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;
import org.postgresql.PGStatement;
import org.springframework.boot.jdbc.autoconfigure.JdbcProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The {@link JdbcTemplate} under every repository's {@code JdbcClient}: Spring Boot's, with its
 * {@code spring.jdbc.template.*} settings, except that a statement run while the thread has a
 * {@link StatementTimeout} gets that as its query timeout (the lower one, in a transaction with a
 * timeout of its own). The driver then cancels the statement in the database when it runs too long,
 * and the caller gets a {@code QueryTimeoutException}. Within {@link CustomPlans}, statements are
 * never prepared on the server, so each is planned for its values.
 */
@Configuration(proxyBeanMethods = false)
public class JdbcConfiguration {

  @Bean
  JdbcTemplate jdbcTemplate(DataSource dataSource, JdbcProperties properties) {
    JdbcTemplate jdbc = new TimeLimitedJdbcTemplate(dataSource);
    JdbcProperties.Template template = properties.getTemplate();
    jdbc.setIgnoreWarnings(template.isIgnoreWarnings());
    jdbc.setFetchSize(template.getFetchSize());
    jdbc.setMaxRows(template.getMaxRows());
    if (template.getQueryTimeout() != null) {
      jdbc.setQueryTimeout((int) template.getQueryTimeout().getSeconds());
    }
    jdbc.setSkipResultsProcessing(template.isSkipResultsProcessing());
    jdbc.setSkipUndeclaredResults(template.isSkipUndeclaredResults());
    jdbc.setResultsMapCaseInsensitive(template.isResultsMapCaseInsensitive());
    return jdbc;
  }

  private static final class TimeLimitedJdbcTemplate extends JdbcTemplate {

    TimeLimitedJdbcTemplate(DataSource dataSource) {
      super(dataSource);
    }

    @Override
    protected void applyStatementSettings(Statement statement) throws SQLException {
      super.applyStatementSettings(statement);
      if (CustomPlans.active() && statement.isWrapperFor(PGStatement.class)) {
        // Never a server-side prepared statement: an unnamed one is planned with its values.
        statement.unwrap(PGStatement.class).setPrepareThreshold(0);
      }
      int limit = StatementTimeout.seconds();
      int current = statement.getQueryTimeout();
      if (limit > 0 && (current == 0 || current > limit)) {
        statement.setQueryTimeout(limit);
      }
    }
  }
}
