package io.auditrelay.bench;

import java.nio.file.Path;

final class S3Bench {
    S3Bench(Path root, Path dir, long n, String endpoint, String access, String secret, Results results) {
    }

    boolean run() {
        throw new UnsupportedOperationException("s3 bench not written yet");
    }
}
