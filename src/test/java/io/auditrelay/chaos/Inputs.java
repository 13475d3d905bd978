package io.auditrelay.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.auditrelay.mapper.Json;
import io.auditrelay.mapper.Mappers;
import io.auditrelay.mapper.MappingContext;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The records the crash suite feeds, one kind per vendor, each with a unique id and the event time's day chosen by the
 * caller; names and descriptions hold line breaks, quotes and commas, so the CSV sink quotes them. Every record handed
 * out is expected in every sink: {@link #expect} takes its canonical id from the vendor's mapper.
 */
final class Inputs {

    static final List<String> AIRKIT_CSV_COLUMNS = List.of("ORGANIZATION_ID", "EVENT_ID", "EVENT_YEAR", "EVENT_MONTH",
            "EVENT_DATE", "EVENT_TIME", "EMAIL", "EVENT_TYPE");
    private static final String AWKWARD = "line one\nline two, \"quoted\"";

    private final AtomicLong sequence = new AtomicLong();
    private final Set<String> expected = ConcurrentHashMap.newKeySet();

    /** Every id fed so far. */
    Set<String> expected() {
        return Set.copyOf(expected);
    }

    /** Records the canonical id of a record that was handed to a source. */
    void expect(String vendor, JsonNode record) {
        expected.add(Mappers.forVendor(vendor).map(record, new MappingContext(Instant.now(), null)).id());
    }

    private long next() {
        return sequence.incrementAndGet();
    }

    /**
     * The time of the n-th input: 10 ms apart, so times rise with n through 8,640,000 inputs in one day (a 30-minute
     * soak feeds about 300,000). They must rise: the CockroachDB API stand-in pages by created_at, and an entry added
     * behind the relay's cursor is one the API would never have served (one second apart wrapped past midnight after
     * 86,400 inputs and put entries there).
     */
    static String time(String day, long n) {
        long micros = n * 10_000;
        long seconds = micros / 1_000_000;
        return String.format("%sT%02d:%02d:%02d.%06dZ", day, (seconds / 3600) % 24, (seconds / 60) % 60, seconds % 60,
                micros % 1_000_000);
    }

    /** An Airkit record as a JSON line (or a CSV row, as an object of its columns). */
    ObjectNode airkit(String day) {
        long n = next();
        ObjectNode r = Json.MAPPER.createObjectNode();
        r.put("ORGANIZATION_ID", "org-1");
        r.put("EVENT_ID", "evt-" + n);
        r.put("EVENT_YEAR", day.substring(0, 4));
        r.put("EVENT_MONTH", day);
        r.put("EVENT_DATE", day);
        r.put("EVENT_TIME", time(day, n).replace('T', ' ').substring(0, 23));
        r.put("EMAIL", "user" + (n % 7) + "@example.com");
        r.put("EVENT_TYPE", n % 2 == 0 ? "user_login" : "app_created");
        return r;
    }

    /** A CockroachDB Cloud audit log entry as the API returns it. */
    ObjectNode cockroachDb(String day) {
        long n = next();
        ObjectNode r = Json.MAPPER.createObjectNode();
        r.put("id", "crdb-" + n);
        r.put("action", "AUDIT_LOG_ACTION_CREATE_CLUSTER");
        r.put("user_email", "ops@example.com");
        r.put("cluster_id", "c-" + (n % 11));
        r.put("cluster_name", "cluster " + n + " " + AWKWARD);
        r.put("error", "");
        r.put("created_at", time(day, n));
        return r;
    }

    /** A Conduktor audit event as a structured-mode CloudEvent. */
    ObjectNode conduktor(String day) {
        long n = next();
        ObjectNode r = Json.MAPPER.createObjectNode();
        r.put("specversion", "1.0");
        r.put("id", "cdk-" + n);
        r.put("source", "//kafka/kafkacluster/production/topic/orders-" + n);
        r.put("type", "AuditLogEventType(Kafka,Topic,Create)");
        r.put("time", time(day, n));
        r.put("datacontenttype", "application/json");
        ObjectNode data = r.putObject("data");
        data.put("eventType", "Kafka.Topic.Create");
        data.put("user", "alice@example.com");
        ObjectNode metadata = data.putObject("metadata");
        metadata.put("name", "orders-" + n + " " + AWKWARD);
        metadata.put("cluster", "production");
        return r;
    }

    /** An Astra DB audit message as streamed. */
    ObjectNode astra(String day) {
        long n = next();
        ObjectNode r = Json.MAPPER.createObjectNode();
        r.put("typename", "AuditEvent");
        r.put("actionResult", "SUCCESS");
        r.put("userID", "u-" + n);
        ObjectNode event = r.putObject("event");
        event.put("orgId", "org-1");
        event.put("databaseId", "db-" + n);
        event.put("databaseName", "orders " + AWKWARD);
        r.put("eventTime", time(day, n).substring(0, 23) + "Z");
        r.put("eventType", "DB_CREATED");
        return r;
    }

    /** The records as JSON lines. */
    static String jsonLines(List<ObjectNode> records) {
        StringBuilder out = new StringBuilder();
        records.forEach(r -> out.append(json(r)).append('\n'));
        return out.toString();
    }

    /** Airkit records as a CSV export with the short header. */
    static String airkitCsv(List<ObjectNode> records) {
        StringBuilder out = new StringBuilder(String.join(",", AIRKIT_CSV_COLUMNS)).append('\n');
        for (ObjectNode r : records) {
            List<String> cells = new ArrayList<>();
            AIRKIT_CSV_COLUMNS.forEach(c -> cells.add(r.get(c).asText()));
            out.append(String.join(",", cells)).append('\n');
        }
        return out.toString();
    }

    /** CockroachDB entries as an API response document. */
    static String entriesDocument(List<ObjectNode> records) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        records.forEach(root.putArray("entries")::add);
        return json(root);
    }

    static String json(JsonNode node) {
        try {
            return Json.MAPPER.writeValueAsString(node);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
