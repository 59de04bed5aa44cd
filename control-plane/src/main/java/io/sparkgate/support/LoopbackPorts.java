package io.sparkgate.support;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Ports of the loopback interface for processes the service starts. */
public final class LoopbackPorts {

  private LoopbackPorts() {}

  /**
   * A port of 127.0.0.1 that was free a moment ago. Another process may take it before the one it
   * is meant for binds it; callers say what happens then.
   */
  public static int free() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
