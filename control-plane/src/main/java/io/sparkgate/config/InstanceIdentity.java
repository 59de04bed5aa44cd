package io.sparkgate.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.UUID;
import org.springframework.stereotype.Component;

/** This process's identity among the instances that share one database. */
@Component
public class InstanceIdentity {

  private final String id;
  private final String host;
  private final UUID incarnation = UUID.randomUUID();

  public InstanceIdentity(SparkgateProperties properties) {
    this.host = hostName();
    this.id =
        properties.instanceId().isBlank()
            ? host
                + "-"
                + ProcessHandle.current().pid()
                + "-"
                + UUID.randomUUID().toString().substring(0, 8)
            : properties.instanceId();
  }

  public String id() {
    return id;
  }

  public String host() {
    return host;
  }

  /** This process, as opposed to an earlier or a concurrent one with the same configured id. */
  public UUID incarnation() {
    return incarnation;
  }

  private static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "unknown-host";
    }
  }
}
