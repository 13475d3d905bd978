package io.auditrelay.spine;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** Per-vendor counters for the progress log and the end-of-run summary. */
public class RelayStats {

    /** One vendor's counters. */
    public static final class Counts {
        final LongAdder read = new LongAdder();
        final LongAdder delivered = new LongAdder();
        final LongAdder duplicates = new LongAdder();
        final LongAdder deadLettered = new LongAdder();

        public long read() {
            return read.sum();
        }

        public long delivered() {
            return delivered.sum();
        }

        public long duplicates() {
            return duplicates.sum();
        }

        public long deadLettered() {
            return deadLettered.sum();
        }
    }

    private final Map<String, Counts> byVendor = new ConcurrentHashMap<>();

    private Counts of(String vendor) {
        return byVendor.computeIfAbsent(vendor == null ? "unknown" : vendor, v -> new Counts());
    }

    public void read(String vendor) {
        of(vendor).read.increment();
    }

    public void delivered(String vendor) {
        of(vendor).delivered.increment();
    }

    public void duplicate(String vendor) {
        of(vendor).duplicates.increment();
    }

    public void deadLettered(String vendor) {
        of(vendor).deadLettered.increment();
    }

    /** A snapshot, sorted by vendor. */
    public Map<String, Counts> snapshot() {
        return new TreeMap<>(byVendor);
    }

    public long total() {
        return byVendor.values().stream().mapToLong(Counts::read).sum();
    }

    /** The summary table printed at the end of a run. */
    public String summary() {
        StringBuilder out = new StringBuilder();
        out.append(String.format("%-12s %10s %10s %12s %14s%n", "vendor", "read", "delivered", "duplicates", "dead-lettered"));
        snapshot().forEach((vendor, c) -> out.append(String.format("%-12s %10d %10d %12d %14d%n",
                vendor, c.read(), c.delivered(), c.duplicates(), c.deadLettered())));
        return out.toString();
    }
}
