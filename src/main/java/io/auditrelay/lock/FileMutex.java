package io.auditrelay.lock;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * An exclusive lock on a lock file, for the threads of this JVM and other processes alike (relays and commands
 * sharing a directory). A file lock belongs to the whole process: a second lock of the same file from this JVM
 * would throw instead of waiting, so a thread first takes this JVM's monitor for the path, then the file lock. The
 * lock file stays open between uses (opening it for each one cost a third of a dead letter's write); it is opened
 * again when it was deleted meanwhile, so that every process locks the same file.
 */
public final class FileMutex {

    private static final ConcurrentMap<Path, LockFile> LOCK_FILES = new ConcurrentHashMap<>();

    /** What runs under the lock. */
    public interface Action<T> {
        T run() throws IOException;
    }

    /** A lock file of this JVM, its monitor and its open channel. */
    private static final class LockFile {
        final Path path;
        FileChannel channel;

        LockFile(Path path) {
            this.path = path;
        }

        FileChannel open() throws IOException {
            if (channel == null || !channel.isOpen() || !Files.exists(path)) {
                if (channel != null) {
                    channel.close();
                }
                Files.createDirectories(path.getParent());
                channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            }
            return channel;
        }
    }

    private final LockFile lockFile;

    public FileMutex(Path lockFile) {
        this.lockFile = LOCK_FILES.computeIfAbsent(lockFile.toAbsolutePath().normalize(), LockFile::new);
    }

    /** Runs {@code action} holding the lock; waits for it as long as another thread or process holds it. */
    public <T> T hold(Action<T> action) throws IOException {
        synchronized (lockFile) {
            try (FileLock ignored = lockFile.open().lock()) {
                return action.run();
            }
        }
    }
}
