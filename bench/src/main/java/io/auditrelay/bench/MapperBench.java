package io.auditrelay.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.auditrelay.mapper.Json;
import io.auditrelay.mapper.MappingContext;
import io.auditrelay.mapper.Mappers;
import io.auditrelay.mapper.VendorMapper;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.time.Instant;
import java.util.concurrent.TimeUnit;

/**
 * Events/s of each vendor mapper on ~1 KB records, single thread. {@code map} = the mapper alone on a parsed
 * record (what Mappers.forVendor(v).map does in the spine); {@code parseAndMap} = Jackson parse of the record's
 * JSON text + map (what a source hands the spine). One op = one event.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class MapperBench {

    static final int RECORDS = 1024;
    static final int SIZE = 1024;

    @Param({"astra", "cockroachdb", "conduktor", "airkit"})
    public String vendor;

    private VendorMapper mapper;
    private JsonNode[] parsed;
    private String[] texts;
    private MappingContext context;
    private int next;

    @Setup
    public void setup() throws Exception {
        mapper = Mappers.forVendor(vendor);
        context = new MappingContext(Instant.parse("2024-11-01T00:00:00Z"), null);
        parsed = new JsonNode[RECORDS];
        texts = new String[RECORDS];
        for (int i = 0; i < RECORDS; i++) {
            texts[i] = text(vendor, i);
            parsed[i] = Json.MAPPER.readTree(texts[i]);
            mapper.map(parsed[i], context); // fail fast on an unmappable record
        }
    }

    /** The record as the spine sees it; Astra: a CSV row as an object of its columns (event = JSON string). */
    static String text(String vendor, long i) throws Exception {
        switch (vendor) {
            case "astra": {
                ObjectNode row = Json.MAPPER.createObjectNode();
                row.put("typename", "AuditEvent");
                row.put("actionResult", "SUCCESS");
                row.put("userID", "8d2c1f9e-5b3a-4e7d-9c21-6f0a1b2c3d4e");
                row.put("event", Data.astraEventJson(i, SIZE - 150));
                row.put("eventTime", "2024-05-02T09:15:32.481Z");
                row.put("eventType", Data.astraType(i));
                return Json.MAPPER.writeValueAsString(row);
            }
            case "cockroachdb": return Data.cockroachJson(i, SIZE);
            case "conduktor": return Data.conduktorJson(i, SIZE);
            case "airkit": return Data.airkitJson(i, SIZE);
            default: throw new IllegalArgumentException(vendor);
        }
    }

    @Benchmark
    public Object map() {
        int i = next++ & (RECORDS - 1);
        return mapper.map(parsed[i], context);
    }

    @Benchmark
    public Object parseAndMap() throws Exception {
        int i = next++ & (RECORDS - 1);
        return mapper.map(Json.MAPPER.readTree(texts[i]), context);
    }
}
