package io.auditrelay.bench;

import io.auditrelay.event.AuditEvent;
import io.auditrelay.mapper.Json;
import io.auditrelay.mapper.MappingContext;
import io.auditrelay.mapper.Mappers;
import io.auditrelay.mapper.VendorMapper;
import io.auditrelay.spine.IdHashSet;
import io.auditrelay.spine.UnitDedupe;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.time.Instant;
import java.util.concurrent.TimeUnit;

/**
 * Events/s of the dedupe's hashing of one Conduktor event (~1 KB record): its id's 128-bit hash and its content hash,
 * what {@code UnitDedupe.claim} computes per event (finding 39). Not part of {@code run.sh}; run it with
 * {@code java -cp bench/target/audit-relay-bench-0.1.0-SNAPSHOT.jar:$(cat bench/target/cp.txt) org.openjdk.jmh.Main
 * DedupeHashBench -f 1 -wi 3 -i 5 -w 1 -r 1}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class DedupeHashBench {

    static final int RECORDS = 1024;

    private AuditEvent[] events;
    private int next;

    @Setup
    public void setup() throws Exception {
        VendorMapper mapper = Mappers.forVendor("conduktor");
        MappingContext context = new MappingContext(Instant.parse("2024-11-01T00:00:00Z"), null);
        events = new AuditEvent[RECORDS];
        for (int i = 0; i < RECORDS; i++) {
            events[i] = mapper.map(Json.MAPPER.readTree(Data.conduktorJson(i, 1024)), context);
        }
    }

    @Benchmark
    public long idAndContent() {
        AuditEvent event = events[next++ & (RECORDS - 1)];
        return IdHashSet.hash(event.id())[0] ^ UnitDedupe.contentHash(event);
    }
}
