package io.auditrelay.spine;

import io.auditrelay.lock.LockFiles;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The file a running dedupe store writes: the first slot of its directory that no running store holds, locked
 * ({@code <file>.lock}) until {@link #release}. Stores of processes sharing a state directory (replicas on one
 * volume, a backfill beside the relay) so never append to or compact the same file: slot 0 is
 * {@code dedupe-ids.txt}, the file of a store that runs alone, slot n {@code dedupe-ids-n.txt}. The same pattern as
 * the S3 sink's spool directories.
 */
final class DedupeSlot {

    private static final int MAX_SLOTS = 64;
    private static final Pattern SLOT_FILE = Pattern.compile("dedupe-ids(-\\d+)?\\.txt");

    /** Another slot's file; {@code lock} is non-null when no running store holds it (it was taken here). */
    record Other(Path file, FileChannel lock) {

        boolean stopped() {
            return lock != null;
        }

        /** Releases the lock taken on a stopped store's file (closing it again does nothing). */
        void release() throws IOException {
            if (lock != null) {
                lock.close();
            }
        }
    }

    private final Path file;
    private FileChannel lock;

    private DedupeSlot(Path file, FileChannel lock) {
        this.file = file;
        this.lock = lock;
    }

    /** Takes the first slot under {@code dir} that no running store holds. */
    static DedupeSlot take(Path dir) throws IOException {
        Files.createDirectories(dir);
        for (int i = 0; i < MAX_SLOTS; i++) {
            Path candidate = dir.resolve(name(i));
            FileChannel channel = tryLock(candidate);
            if (channel != null) {
                return new DedupeSlot(candidate, channel);
            }
        }
        throw new IOException("every dedupe store file under " + dir + " is held by a running store (" + MAX_SLOTS
                + "): too many relays share this state directory");
    }

    private static String name(int slot) {
        return slot == 0 ? DedupeRepository.FILE_NAME : "dedupe-ids-" + slot + ".txt";
    }

    private static FileChannel tryLock(Path slotFile) throws IOException {
        return LockFiles.tryLock(slotFile.resolveSibling(slotFile.getFileName() + ".lock"));
    }

    /** The file this store writes. */
    Path file() {
        return file;
    }

    /**
     * The other slots' files in the directory, each with the lock of its store taken when that store is not
     * running; the caller {@link Other#release releases} those.
     */
    List<Other> others() throws IOException {
        List<Other> others = new ArrayList<>();
        for (Path other : otherFiles(file.getParent(), file)) {
            others.add(new Other(other, tryLock(other)));
        }
        return others;
    }

    /** The store files in {@code dir} other than {@code own}, in the same order every time. */
    static List<Path> otherFiles(Path dir, Path own) throws IOException {
        List<Path> others = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path candidate : files) {
                String name = candidate.getFileName().toString();
                if (SLOT_FILE.matcher(name).matches() && !candidate.equals(own) && Files.isRegularFile(candidate)) {
                    others.add(candidate);
                }
            }
        }
        others.sort(Comparator.comparing(other -> other.getFileName().toString()));
        return others;
    }

    /** Releases the slot (once; later calls do nothing). */
    void release() throws IOException {
        if (lock != null) {
            lock.close();
            lock = null;
        }
    }
}
