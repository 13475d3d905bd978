package io.auditrelay.sink.s3;

import io.auditrelay.lock.LockFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;

import static io.auditrelay.sink.s3.SpoolBatch.SEALED;
import static io.auditrelay.sink.s3.SpoolBatch.SPOOL;
import static io.auditrelay.sink.s3.SpoolBatch.UPLOAD;

/**
 * The S3 sink's spool directory: the first numbered directory ({@code 0}, {@code 1}, ...) under {@code spool-dir}
 * that no running sink holds, locked ({@code spool.lock}) until {@link #release}, so relays sharing a state volume
 * keep separate spools. It recovers the batches a previous run left (its own and those of other unlocked directories;
 * a torn last line is cut), creates the files of new batches ({@code <partition>-<seq>}, see {@link SpoolBatch}) and
 * fsyncs the directory.
 */
final class S3Spool {

    /** The sink's log category, so the spool logs as it did when it was part of the sink. */
    private static final Logger LOG = LoggerFactory.getLogger(S3Sink.class);
    private static final String LOCK = "spool.lock";
    private static final int MAX_SPOOLS = 64;

    private final Path dir;
    private FileChannel lockChannel;
    private long seq;

    private S3Spool(Path dir, FileChannel lockChannel) {
        this.dir = dir;
        this.lockChannel = lockChannel;
    }

    /** Takes the first numbered directory under {@code root} that no running sink holds. */
    static S3Spool lock(Path root) throws IOException {
        Files.createDirectories(root);
        for (int i = 0; i < MAX_SPOOLS; i++) {
            Path candidate = root.resolve(String.valueOf(i));
            FileChannel channel = tryLock(candidate);
            if (channel != null) {
                return new S3Spool(candidate, channel);
            }
        }
        throw new IOException("every S3 spool directory under " + root + " is in use (" + MAX_SPOOLS + ")");
    }

    private static FileChannel tryLock(Path candidate) throws IOException {
        Files.createDirectories(candidate);
        return LockFiles.tryLock(candidate.resolve(LOCK));
    }

    /** The locked directory. */
    Path dir() {
        return dir;
    }

    /** Releases the directory's lock (once; later calls do nothing). */
    void release() {
        if (lockChannel != null) {
            try {
                lockChannel.close();
            } catch (IOException e) {
                LOG.warn("Could not release the S3 spool lock: {}", e.getMessage());
            }
            lockChannel = null;
        }
    }

    /**
     * Recovers the batches left in the spool by a previous run, and moves into it those of other spool directories
     * no running sink holds (a relay that stopped for good). Returns them in the order they were created. When it
     * fails the directory is released.
     */
    List<SpoolBatch> recover() throws IOException {
        try {
            return recoverBatches();
        } catch (IOException | RuntimeException e) {
            release();
            throw e;
        }
    }

    private List<SpoolBatch> recoverBatches() throws IOException {
        seq = 0;
        for (String name : batchNames(dir)) {
            seq = Math.max(seq, seqOf(name));
        }
        try (DirectoryStream<Path> others = Files.newDirectoryStream(dir.getParent(),
                p -> Files.isDirectory(p) && !p.equals(dir) && p.getFileName().toString().matches("\\d+"))) {
            for (Path other : others) {
                FileChannel otherLock = tryLock(other);
                if (otherLock == null) {
                    continue;
                }
                try {
                    for (String name : batchNames(other)) {
                        String moved = name.substring(0, name.lastIndexOf('-') + 1) + (++seq);
                        for (String ext : List.of(SPOOL, SEALED)) {
                            if (Files.exists(other.resolve(name + ext))) {
                                Files.move(other.resolve(name + ext), dir.resolve(moved + ext));
                            }
                        }
                        LOG.info("S3 sink took over the spool batch {} of {}", name, other);
                    }
                } finally {
                    otherLock.close();
                }
            }
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                if (name.endsWith(UPLOAD)) {
                    Files.deleteIfExists(file);
                } else if (name.endsWith(SEALED)
                        && !Files.exists(dir.resolve(name.substring(0, name.lastIndexOf('.')) + SPOOL))) {
                    Files.deleteIfExists(file);
                }
            }
        }
        List<SpoolBatch> batches = new ArrayList<>();
        for (String name : batchNames(dir)) {
            SpoolBatch batch = SpoolBatch.recover(dir, name, partitionOf(name.substring(0, name.lastIndexOf('-'))));
            if (batch != null) {
                batches.add(batch);
            }
        }
        batches.sort(Comparator.comparingLong(b -> seqOf(b.name)));
        if (!batches.isEmpty()) {
            force();
        }
        return batches;
    }

    /** Creates the file of a new batch of the partition ({@code <partition>-<seq>.spool}). */
    SpoolBatch create(String partition) throws IOException {
        return SpoolBatch.create(dir, fileName(partition) + "-" + (++seq), partition);
    }

    /** Forces (fsyncs) the directory, so the files created or deleted in it are durable. */
    void force() throws IOException {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    /** The names ({@code <partition>-<seq>}) of the batches in a spool directory. */
    private static List<String> batchNames(Path spool) throws IOException {
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(spool, "*" + SPOOL)) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                name = name.substring(0, name.length() - SPOOL.length());
                if (name.matches(".+-\\d+")) {
                    names.add(name);
                } else {
                    LOG.warn("Ignoring {}: not an S3 spool file", file);
                }
            }
        }
        return names;
    }

    private static long seqOf(String name) {
        return Long.parseLong(name.substring(name.lastIndexOf('-') + 1));
    }

    /** The partition as a file name: letters, digits, {@code . _ = -} kept, other bytes as {@code %XX}. */
    static String fileName(String partition) {
        StringBuilder out = new StringBuilder();
        for (byte b : partition.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || ".-_=".indexOf(c) >= 0) {
                out.append(c);
            } else {
                out.append('%').append(HexFormat.of().withUpperCase().toHexDigits(b));
            }
        }
        return out.toString();
    }

    /** The partition a batch file name ({@link #fileName}) stands for. */
    static String partitionOf(String fileName) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < fileName.length(); i++) {
            char c = fileName.charAt(i);
            if (c == '%' && i + 2 < fileName.length()) {
                out.write(HexFormat.fromHexDigits(fileName, i + 1, i + 3));
                i += 2;
            } else {
                out.write(c);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
