package io.auditrelay.retry;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The relay's one retry schedule: exponential from {@code first}, doubling per attempt up to {@code max}, with equal
 * jitter (a random wait between half and all of that), so retrying replicas and sources spread out.
 */
public record Backoff(Duration first, Duration max) {

    public Backoff {
        if (first.isNegative() || max.compareTo(first) < 0) {
            throw new IllegalArgumentException("backoff: first " + first + " must be at least 0 and at most max " + max);
        }
    }

    public static Backoff ofMillis(long first, long max) {
        return new Backoff(Duration.ofMillis(first), Duration.ofMillis(Math.max(first, max)));
    }

    /** The wait before retry {@code attempt} (1 = the first retry). */
    public Duration delay(int attempt) {
        return jitter(undelayed(attempt));
    }

    /** {@code first * 2^(attempt-1)}, at most {@code max}, without jitter. */
    public Duration undelayed(int attempt) {
        long firstMs = first.toMillis();
        int doublings = Math.min(Math.max(0, attempt - 1), 30);
        long ms = firstMs > (max.toMillis() >> doublings) ? max.toMillis() : firstMs << doublings;
        return Duration.ofMillis(Math.min(ms, max.toMillis()));
    }

    /** Between half and all of {@code base}. */
    public static Duration jitter(Duration base) {
        long ms = Math.max(1, base.toMillis());
        return Duration.ofMillis(ms / 2 + ThreadLocalRandom.current().nextLong(ms / 2 + 1));
    }
}
