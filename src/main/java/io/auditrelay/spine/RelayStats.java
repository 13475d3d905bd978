package io.auditrelay.spine;

import io.auditrelay.event.Delivery;
import io.auditrelay.mapper.Timestamps;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The relay's counters: the per-vendor summary printed at the end of a run and in the progress log,
 * and the Prometheus meters ({@code relay_events_received_total{vendor}}, {@code relay_events_delivered_total{vendor,sink}},
 * {@code relay_events_duplicate_total{vendor}}, {@code relay_events_dead_lettered_total{vendor,reason}},
 * {@code relay_source_lag_seconds{vendor}}, {@code relay_cursor_timestamp_seconds{source}}) once
 * {@link #bindTo(MeterRegistry)} was called.
 */
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

    private final Clock clock;
    private final Map<String, Counts> byVendor = new ConcurrentHashMap<>();
    private final Map<Tags, LongAdder> deliveredBySink = new ConcurrentHashMap<>();
    private final Map<Tags, LongAdder> deadLetteredByReason = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> newestEventMillis = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> cursorMillis = new ConcurrentHashMap<>();
    private volatile MeterRegistry registry;

    public RelayStats(Clock clock) {
        this.clock = clock;
    }

    private Counts of(String vendor) {
        return byVendor.computeIfAbsent(name(vendor), v -> {
            Counts counts = new Counts();
            MeterRegistry r = registry;
            if (r != null) {
                register(r, v, counts);
            }
            return counts;
        });
    }

    private static String name(String value) {
        return value == null ? "unknown" : value;
    }

    public void read(String vendor) {
        of(vendor).read.increment();
    }

    /** The events of a chunk went through the fan-out: every enabled sink accepted each of them or dead-lettered it. */
    public void delivered(List<Delivery> chunk) {
        // one counter lookup per run of the same vendor (a chunk is usually one vendor), not per event
        String vendor = null;
        int run = 0;
        for (Delivery delivery : chunk) {
            if (run > 0 && !java.util.Objects.equals(delivery.vendor(), vendor)) {
                of(vendor).delivered.add(run);
                run = 0;
            }
            vendor = delivery.vendor();
            run++;
        }
        if (run > 0) {
            of(vendor).delivered.add(run);
        }
    }

    /** {@code sink} accepted these events: counted per vendor, and the newest event time kept for the lag gauge. */
    public void deliveredTo(String sink, List<Delivery> events) {
        String vendor = null;
        LongAdder delivered = null;
        String newest = null;
        for (Delivery delivery : events) {
            if (!delivery.vendor().equals(vendor)) {
                newest(vendor, newest);
                vendor = delivery.vendor();
                delivered = counter(deliveredBySink, "relay.events.delivered", Tags.of("vendor", name(vendor), "sink", name(sink)));
                newest = null;
            }
            delivered.increment();
            newest = later(newest, delivery.event().time());
        }
        newest(vendor, newest);
    }

    /** The later of two canonical (ISO-8601 UTC) times; of the same length they compare as text, without parsing. */
    private static String later(String a, String b) {
        if (a == null || b == null) {
            return a == null ? b : a;
        }
        boolean bIsLater = a.length() == b.length() ? b.compareTo(a) > 0 : Instant.parse(b).isAfter(Instant.parse(a));
        return bIsLater ? b : a;
    }

    private void newest(String vendor, String time) {
        if (vendor != null && time != null) {
            // canonical times take the parser's fast path (Instant.parse resolves fields through a formatter per call)
            long millis = Timestamps.parseIso("time", time).toEpochMilli();
            gaugeValue(newestEventMillis, vendor, this::lagGauge).accumulateAndGet(millis, Math::max);
        }
    }

    public void duplicate(String vendor) {
        of(vendor).duplicates.increment();
    }

    /** A record or event went to the dead-letter store; {@code reason} is a short category, not a message. */
    public void deadLettered(String vendor, String reason) {
        of(vendor).deadLettered.increment();
        counter(deadLetteredByReason, "relay.events.dead_lettered", Tags.of("vendor", name(vendor), "reason", name(reason))).increment();
    }

    /** A polling source saved its cursor at {@code position}. */
    public void cursor(String source, Instant position) {
        gaugeValue(cursorMillis, source, RelayStats::cursorGauge).set(position.toEpochMilli());
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

    /** Publishes every counter, present and future, as Prometheus meters. */
    public synchronized void bindTo(MeterRegistry meterRegistry) {
        this.registry = meterRegistry;
        byVendor.forEach((vendor, counts) -> register(meterRegistry, vendor, counts));
        deliveredBySink.forEach((tags, adder) -> counterMeter(meterRegistry, "relay.events.delivered", tags, adder));
        deadLetteredByReason.forEach((tags, adder) -> counterMeter(meterRegistry, "relay.events.dead_lettered", tags, adder));
        newestEventMillis.forEach((vendor, millis) -> lagGauge(meterRegistry, vendor, millis));
        cursorMillis.forEach((source, millis) -> cursorGauge(meterRegistry, source, millis));
    }

    private void register(MeterRegistry r, String vendor, Counts counts) {
        counterMeter(r, "relay.events.received", Tags.of("vendor", vendor), counts.read);
        counterMeter(r, "relay.events.duplicate", Tags.of("vendor", vendor), counts.duplicates);
    }

    private LongAdder counter(Map<Tags, LongAdder> map, String meter, Tags tags) {
        return map.computeIfAbsent(tags, t -> {
            LongAdder adder = new LongAdder();
            MeterRegistry r = registry;
            if (r != null) {
                counterMeter(r, meter, t, adder);
            }
            return adder;
        });
    }

    /** How a gauge is registered: (registry, tag value, value holder). */
    private interface GaugeRegistrar {
        void register(MeterRegistry registry, String key, AtomicLong value);
    }

    private AtomicLong gaugeValue(Map<String, AtomicLong> map, String key, GaugeRegistrar registrar) {
        return map.computeIfAbsent(name(key), k -> {
            AtomicLong value = new AtomicLong();
            MeterRegistry r = registry;
            if (r != null) {
                registrar.register(r, k, value);
            }
            return value;
        });
    }

    private static void counterMeter(MeterRegistry r, String name, Tags tags, LongAdder adder) {
        FunctionCounter.builder(name, adder, LongAdder::sum).tags(tags).register(r);
    }

    private void lagGauge(MeterRegistry r, String vendor, AtomicLong newest) {
        Gauge.builder("relay.source.lag", newest, n -> n.get() == 0 ? Double.NaN
                        : (clock.millis() - n.get()) / 1000.0)
                .tags("vendor", vendor).baseUnit("seconds").register(r);
    }

    private static void cursorGauge(MeterRegistry r, String source, AtomicLong millis) {
        Gauge.builder("relay.cursor.timestamp", millis, m -> m.get() / 1000.0)
                .tags("source", source).baseUnit("seconds").register(r);
    }
}
