package io.sparkgate.config;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.metrics.micrometer.MicrometerMetricsTrackerFactory;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.jdbc.autoconfigure.DataSourceProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * The service's DataSource, {@link ConnectionPools}: an API pool configured as Boot would configure
 * its own ({@code spring.datasource.hikari.*}), and a supervision pool with the same settings but
 * its own name and {@code sparkgate.supervision.pool-size} connections. Both log in with the one
 * {@link DatabaseLogin}, from {@code spring.datasource.*} or from the embedded PostgreSQL.
 */
@Configuration(proxyBeanMethods = false)
class ConnectionPoolConfiguration {

  private static final String HIKARI = "spring.datasource.hikari";

  @Bean
  @Conditional(DatasourceUrl.class)
  DatabaseLogin externalDatabaseLogin(DataSourceProperties properties) {
    return new DatabaseLogin(
        properties.determineUrl(),
        properties.determineUsername(),
        properties.determinePassword(),
        properties.determineDriverClassName());
  }

  @Bean
  ConnectionPools dataSource(
      DatabaseLogin login, Environment environment, SparkgateProperties properties) {
    Binder binder = Binder.get(environment);
    HikariDataSource api = pool(login, binder, environment);
    HikariDataSource supervision = pool(login, binder, environment);
    supervision.setPoolName(ConnectionPools.SUPERVISION);
    supervision.setMaximumPoolSize(properties.supervision().poolSize());
    nameSessions(api);
    nameSessions(supervision);
    return new ConnectionPools(api, supervision);
  }

  /**
   * Hikari metrics ({@code hikaricp_connections{pool=…}}) for both pools. Boot's own binder reaches
   * the API pool only, through unwrapping; whichever binds a pool first, the other leaves it be.
   */
  @Bean
  MeterBinder connectionPoolMetrics(ConnectionPools pools) {
    return registry ->
        pools
            .pools()
            .forEach(
                pool -> {
                  if (pool.getMetricsTrackerFactory() == null && pool.getMetricRegistry() == null) {
                    pool.setMetricsTrackerFactory(new MicrometerMetricsTrackerFactory(registry));
                  }
                });
  }

  /**
   * A pool that starts with its first connection, with every {@code spring.datasource.hikari.*}.
   */
  private static HikariDataSource pool(
      DatabaseLogin login, Binder binder, Environment environment) {
    HikariDataSource pool = new HikariDataSource();
    pool.setJdbcUrl(login.jdbcUrl());
    pool.setUsername(login.username());
    pool.setPassword(login.password());
    // As Boot does: a data source class, when one is named, takes the driver's place.
    if (login.driverClassName() != null
        && environment.getProperty(HIKARI + ".data-source-class-name") == null) {
      pool.setDriverClassName(login.driverClassName());
    }
    pool.setPoolName(ConnectionPools.API);
    binder.bind(HIKARI, Bindable.ofInstance(pool));
    return pool;
  }

  /**
   * Each session carries its pool's name as PostgreSQL's application_name (pg_stat_activity shows
   * which pool holds which connection), unless the configuration names the sessions itself.
   */
  private static void nameSessions(HikariDataSource pool) {
    if (!pool.getDataSourceProperties().containsKey("ApplicationName")) {
      pool.addDataSourceProperty("ApplicationName", pool.getPoolName());
    }
  }

  /** Matches when an external database is configured: the embedded one's condition, negated. */
  static class DatasourceUrl implements Condition {
    @Override
    public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
      return !new EmbeddedPostgresConfiguration.NoDatasourceUrl().matches(context, metadata);
    }
  }
}
