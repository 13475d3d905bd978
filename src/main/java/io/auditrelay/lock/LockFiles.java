package io.auditrelay.lock;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Lock files that say which running store or sink owns a file or a folder (S3 spools, dedupe files, sink folders). */
public final class LockFiles {

    private LockFiles() {
    }

    /**
     * Takes an exclusive lock on {@code lockFile} (created if missing) without waiting: the open channel that holds
     * it until closed, or null when another process or another holder in this JVM has it.
     */
    public static FileChannel tryLock(Path lockFile) throws IOException {
        FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        try {
            if (channel.tryLock() != null) {
                return channel;
            }
        } catch (OverlappingFileLockException e) {
            // held by another holder in this JVM
        }
        channel.close();
        return null;
    }
}
