package io.sparkgate.catalog;

import io.sparkgate.support.Json;
import io.sparkgate.support.SqlTime;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** Jobs and their versions in PostgreSQL. */
@Repository
public class JobRepository {

  private final JdbcClient jdbc;
  private final Json json;

  public JobRepository(JdbcClient jdbc, Json json) {
    this.jdbc = jdbc;
    this.json = json;
  }

  public Optional<Job> find(String name) {
    return jdbc.sql(
            """
            select name, enabled, latest_version, created_at, updated_at
            from job where name = :name
            """)
        .param("name", name)
        .query(JobRepository::mapJob)
        .optional();
  }

  /** Locks the job's row until the transaction ends, so version numbers are handed out once. */
  public Optional<Job> findForUpdate(String name) {
    return jdbc.sql(
            """
            select name, enabled, latest_version, created_at, updated_at
            from job where name = :name
            for update
            """)
        .param("name", name)
        .query(JobRepository::mapJob)
        .optional();
  }

  public List<Job> findAll() {
    return jdbc.sql(
            """
            select name, enabled, latest_version, created_at, updated_at
            from job order by name
            """)
        .query(JobRepository::mapJob)
        .list();
  }

  public Optional<JobVersion> findVersion(String name, int version) {
    return jdbc.sql(
            """
            select job_name, version, definition, content_hash, created_at, created_by
            from job_version where job_name = :name and version = :version
            """)
        .param("name", name)
        .param("version", version)
        .query(this::mapVersion)
        .optional();
  }

  public List<JobVersion> findVersions(String name) {
    return jdbc.sql(
            """
            select job_name, version, definition, content_hash, created_at, created_by
            from job_version where job_name = :name order by version desc
            """)
        .param("name", name)
        .query(this::mapVersion)
        .list();
  }

  /** Inserts a new job at version 1; fails with a duplicate key if the name exists. */
  public void insertJob(String name, Instant now) {
    jdbc.sql(
            """
            insert into job (name, enabled, latest_version, created_at, updated_at)
            values (:name, true, 1, :now, :now)
            """)
        .param("name", name)
        .param("now", SqlTime.param(now))
        .update();
  }

  public void insertVersion(JobVersion version) {
    jdbc.sql(
            """
            insert into job_version (job_name, version, definition, content_hash, created_at, created_by)
            values (:name, :version, cast(:definition as jsonb), :hash, :createdAt, :createdBy)
            """)
        .param("name", version.jobName())
        .param("version", version.version())
        .param("definition", json.write(version.definition()))
        .param("hash", version.contentHash())
        .param("createdAt", SqlTime.param(version.createdAt()))
        .param("createdBy", version.createdBy())
        .update();
  }

  public void updateLatestVersion(String name, int version, Instant now) {
    jdbc.sql(
            """
            update job set latest_version = :version, updated_at = :now
            where name = :name and latest_version = :version - 1
            """)
        .param("name", name)
        .param("version", version)
        .param("now", SqlTime.param(now))
        .update();
  }

  /** Returns whether the flag changed. */
  public boolean setEnabled(String name, boolean enabled, Instant now) {
    return jdbc.sql(
                """
                update job set enabled = :enabled, updated_at = :now
                where name = :name and enabled <> :enabled
                """)
            .param("name", name)
            .param("enabled", enabled)
            .param("now", SqlTime.param(now))
            .update()
        == 1;
  }

  private static Job mapJob(ResultSet rs, int row) throws SQLException {
    return new Job(
        rs.getString("name"),
        rs.getBoolean("enabled"),
        rs.getInt("latest_version"),
        SqlTime.get(rs, "created_at"),
        SqlTime.get(rs, "updated_at"));
  }

  private JobVersion mapVersion(ResultSet rs, int row) throws SQLException {
    return new JobVersion(
        rs.getString("job_name"),
        rs.getInt("version"),
        json.read(rs.getString("definition"), JobDefinition.class),
        rs.getString("content_hash"),
        SqlTime.get(rs, "created_at"),
        rs.getString("created_by"));
  }
}
