package io.auditrelay.health;

import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryNotificationInfo;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.Comparator;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Readiness ({@code /observe/health/ready}) DOWN while the heap is nearly full after a garbage collection: the
 * occupancy of the largest heap pool (the old generation) measured right after its last collection, above
 * {@code relay.health.heap-threshold} of its maximum. That is the state before an {@link OutOfMemoryError}, which
 * ends the process ({@code -XX:+ExitOnOutOfMemoryError}); a load balancer or Kubernetes stops sending work first, and
 * the log says so when the JVM reports the threshold crossed (a collection-usage notification), whether or not
 * anybody asks for health.
 */
public final class HeapPressureCheck extends AbstractHealthCheck implements NotificationListener {

    private static final Logger LOG = LoggerFactory.getLogger(HeapPressureCheck.class);

    private final double threshold;
    private final Supplier<Optional<MemoryUsage>> afterCollection;

    /** Watches the JVM's largest heap pool that reports its usage after a collection. */
    public HeapPressureCheck(double threshold) {
        this(threshold, () -> oldGeneration().map(MemoryPoolMXBean::getCollectionUsage));
    }

    /** {@code afterCollection}: the pool's usage after its last collection (empty when the JVM does not report one). */
    public HeapPressureCheck(double threshold, Supplier<Optional<MemoryUsage>> afterCollection) {
        super("relay", "heap");
        if (!(threshold > 0 && threshold <= 1)) {
            throw new IllegalArgumentException("relay.health.heap-threshold must be in (0, 1]: " + threshold);
        }
        this.threshold = threshold;
        this.afterCollection = afterCollection;
    }

    /** Logs a warning each time a collection leaves the old generation above the threshold. */
    public void watch() {
        oldGeneration().filter(MemoryPoolMXBean::isCollectionUsageThresholdSupported).ifPresent(pool -> {
            long max = pool.getUsage().getMax();
            if (max > 0) {
                pool.setCollectionUsageThreshold((long) (max * threshold));
                ((NotificationEmitter) ManagementFactory.getMemoryMXBean()).addNotificationListener(this, null, null);
            }
        });
    }

    @Override
    public void handleNotification(Notification notification, Object handback) {
        if (MemoryNotificationInfo.MEMORY_COLLECTION_THRESHOLD_EXCEEDED.equals(notification.getType())) {
            afterCollection.get().map(this::problem).ifPresent(problem ->
                    LOG.warn("Readiness DOWN: {}; the relay is near an OutOfMemoryError, which ends it", problem));
        }
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        Optional<MemoryUsage> usage = afterCollection.get();
        builder.detail("threshold", threshold);
        usage.filter(u -> u.getMax() > 0).ifPresent(u -> builder.detail("occupancy", fraction(u)));
        String problem = usage.map(this::problem).orElse(null);
        if (problem == null) {
            builder.up();
        } else {
            builder.message(problem);
            builder.detail("reason", problem);
            builder.down();
        }
    }

    /** Why the heap counts as full, or null. */
    private String problem(MemoryUsage usage) {
        if (usage.getMax() <= 0 || fraction(usage) <= threshold) {
            return null;
        }
        return String.format(Locale.ROOT, "heap %.0f%% full after a garbage collection (%d of %d MiB, threshold %.0f%%)",
                fraction(usage) * 100, usage.getUsed() >> 20, usage.getMax() >> 20, threshold * 100);
    }

    private static double fraction(MemoryUsage usage) {
        return (double) usage.getUsed() / usage.getMax();
    }

    private static Optional<MemoryPoolMXBean> oldGeneration() {
        return ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(p -> p.getType() == MemoryType.HEAP && p.isCollectionUsageThresholdSupported())
                .filter(p -> p.getUsage().getMax() > 0)
                .max(Comparator.comparingLong(p -> p.getUsage().getMax()));
    }
}
