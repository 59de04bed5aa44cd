package io.sparkgate.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/** What every local user can see of a process, and what only its owner can, read from /proc. */
public final class ProcessTable {

  private ProcessTable() {}

  /** A variable of the process's environment (readable by its owner and root only). */
  public static Optional<String> environmentVariable(ProcessHandle process, String name)
      throws IOException {
    String environ = Files.readString(Path.of("/proc", Long.toString(process.pid()), "environ"));
    return Stream.of(environ.split("\0"))
        .filter(entry -> entry.startsWith(name + "="))
        .map(entry -> entry.substring(name.length() + 1))
        .findFirst();
  }

  /**
   * The command line of every process on the host that contains {@code text}, as "pid: command"
   * with the text itself masked. Command lines are world-readable: anything in one is visible to
   * every local user.
   */
  public static List<String> commandLinesContaining(String text) throws IOException {
    List<String> found = new ArrayList<>();
    try (Stream<Path> processes = Files.list(Path.of("/proc"))) {
      for (Path process : processes.toList()) {
        if (!process.getFileName().toString().matches("\\d+")) {
          continue;
        }
        String command;
        try {
          command =
              new String(Files.readAllBytes(process.resolve("cmdline")), StandardCharsets.UTF_8)
                  .replace('\0', ' ');
        } catch (IOException e) {
          // The process ended while we looked.
          continue;
        }
        if (command.contains(text)) {
          found.add(process.getFileName() + ": " + command.replace(text, "<masked>"));
        }
      }
    }
    return found;
  }
}
