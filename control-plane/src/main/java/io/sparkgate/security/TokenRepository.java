package io.sparkgate.security;

import io.sparkgate.support.SqlTime;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** Managed API tokens in PostgreSQL (table {@code api_token}). */
@Repository
public class TokenRepository {

  private static final String COLUMNS =
      """
      id, name, role, created_by, created_at, expires_at, last_used_at, revoked_at, revoked_by
      """;

  private final JdbcClient jdbc;

  public TokenRepository(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  public void insert(ManagedToken token, String sha256) {
    jdbc.sql(
            """
            insert into api_token (id, name, role, token_sha256, created_by, created_at, expires_at)
            values (:id, :name, :role, :sha256, :createdBy, :createdAt, :expiresAt)
            """)
        .param("id", token.id())
        .param("name", token.name())
        .param("role", token.role().id())
        .param("sha256", sha256)
        .param("createdBy", token.createdBy())
        .param("createdAt", SqlTime.param(token.createdAt()))
        .param("expiresAt", SqlTime.param(token.expiresAt()))
        .update();
  }

  /** The token with this hash, revoked or not: the caller decides what an inactive one means. */
  public Optional<ManagedToken> findByHash(String sha256) {
    return jdbc.sql("select " + COLUMNS + " from api_token where token_sha256 = :sha256")
        .param("sha256", sha256)
        .query(TokenRepository::map)
        .optional();
  }

  public Optional<ManagedToken> find(UUID id) {
    return jdbc.sql("select " + COLUMNS + " from api_token where id = :id")
        .param("id", id)
        .query(TokenRepository::map)
        .optional();
  }

  /** Every managed token, newest first. */
  public List<ManagedToken> findAll() {
    return jdbc.sql("select " + COLUMNS + " from api_token order by created_at desc, id desc")
        .query(TokenRepository::map)
        .list();
  }

  /**
   * Revokes the token unless it already is; the first revocation's time and actor are kept. Returns
   * whether this call revoked it.
   */
  public boolean revoke(UUID id, String actor, Instant now) {
    return jdbc.sql(
                """
                update api_token set revoked_at = :now, revoked_by = :actor
                where id = :id and revoked_at is null
                """)
            .param("id", id)
            .param("actor", actor)
            .param("now", SqlTime.param(now))
            .update()
        == 1;
  }

  /** Records a use; a no-op when one at most a minute old is already recorded. */
  public void touch(UUID id, Instant now) {
    jdbc.sql(
            """
            update api_token set last_used_at = :now
            where id = :id and (last_used_at is null or last_used_at < :now - interval '1 minute')
            """)
        .param("id", id)
        .param("now", SqlTime.param(now))
        .update();
  }

  private static ManagedToken map(ResultSet rs, int row) throws SQLException {
    return new ManagedToken(
        rs.getObject("id", UUID.class),
        rs.getString("name"),
        Role.of(rs.getString("role")),
        rs.getString("created_by"),
        SqlTime.get(rs, "created_at"),
        SqlTime.get(rs, "expires_at"),
        SqlTime.get(rs, "last_used_at"),
        SqlTime.get(rs, "revoked_at"),
        rs.getString("revoked_by"));
  }
}
