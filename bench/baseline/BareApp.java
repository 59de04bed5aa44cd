package baseline;

import java.util.Map;
import java.util.UUID;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/**
 * The baseline of bench/api-throughput.sh: a bare Spring Boot app on the same libraries as the
 * service (its extracted jar is the class path), with Spring MVC, Jackson, Hikari and JdbcClient
 * but no security, actuator, Flyway or OpenAPI (the script excludes their auto-configuration).
 */
@SpringBootApplication
@RestController
public class BareApp {

  private final JdbcClient jdbc;

  public BareApp(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  @GetMapping("/hello")
  public String hello() {
    return "ok";
  }

  /** One primary-key lookup of a run row, as JSON. */
  @GetMapping("/runs/{id}")
  public Map<String, Object> run(@PathVariable("id") UUID id) {
    return jdbc.sql("select * from run where id = :id").param("id", id).query().singleRow();
  }

  public static void main(String[] args) {
    SpringApplication.run(BareApp.class, args);
  }
}
