package io.sparkgate.config;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** An exclusive lock on a work directory, held for the life of the process. */
public final class WorkDirLock implements AutoCloseable {

  private final FileChannel channel;
  private final FileLock lock;

  private WorkDirLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  public static WorkDirLock acquire(Path workDir) throws IOException {
    Files.createDirectories(workDir);
    Path file = workDir.resolve("sparkgate.lock");
    FileChannel channel =
        FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    FileLock lock = channel.tryLock();
    if (lock == null) {
      channel.close();
      throw new IllegalStateException(
          "Another Sparkgate process is using the work directory "
              + workDir.toAbsolutePath()
              + " with its embedded database; give this one its own sparkgate.work-dir.");
    }
    return new WorkDirLock(channel, lock);
  }

  @Override
  public void close() throws IOException {
    lock.release();
    channel.close();
  }
}
