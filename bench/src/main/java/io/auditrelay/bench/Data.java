package io.auditrelay.bench;

import java.util.Locale;

/**
 * Realistic vendor records (shaped like examples/inbox/*), each with unique content, padded to a size.
 * Every generator is deterministic in its index, so a run can be reproduced and counted.
 */
public final class Data {

    public static final String ASTRA_HEADER = "typename,actionResult,userID,event,eventTime,eventType";
    private static final String[] ASTRA_TYPES = {"DB_CREATED", "KEYSPACE_CREATED", "CREATE_ROLE",
            "GENERATE_TOKEN_FOR_CLIENT", "INVITE_USER_TO_ORGANIZATION"};
    private static final String[][] CONDUKTOR_TYPES = {
            {"Kafka.Topic.Create", "Kafka,Topic,Create", "topic"},
            {"Kafka.Topic.Update", "Kafka,Topic,Update", "topic"},
            {"Kafka.Connector.Delete", "Kafka,Connector,Delete", "connector"}};
    private static final String[] AIRKIT_TYPES = {"user_login", "app_created", "user_role_added", "app_deployed"};
    private static final String[] CRDB_ACTIONS = {"AUDIT_LOG_ACTION_DELETE_SQL_USER", "AUDIT_LOG_ACTION_CREATE_SQL_USER",
            "AUDIT_LOG_ACTION_UPDATE_CLUSTER"};

    private Data() {
    }

    /** A pseudo-random but deterministic hex string of {@code len} chars for padding. */
    public static String pad(long seed, int len) {
        StringBuilder b = new StringBuilder(len);
        long x = seed * 0x9E3779B97F4A7C15L + 1;
        while (b.length() < len) {
            x ^= x << 13; x ^= x >>> 7; x ^= x << 17;
            b.append(Long.toHexString(x));
        }
        b.setLength(len);
        return b.toString();
    }

    static String uuid(long i) {
        String h = String.format(Locale.ROOT, "%032x", i * 2654435761L + 0x5b7e0e49L);
        return h.substring(0, 8) + "-" + h.substring(8, 12) + "-4" + h.substring(13, 16) + "-8" + h.substring(17, 20)
                + "-" + h.substring(20, 32);
    }

    /** ISO time spread over 4 days (so day-partitioned sinks get several files), unique to the millisecond. */
    static String isoTime(long i) {
        long day = i % 4;
        long ms = (i / 4) % 86_400_000L;
        return String.format(Locale.ROOT, "2024-05-%02dT%02d:%02d:%02d.%03dZ", 2 + day, ms / 3_600_000, ms / 60_000 % 60,
                ms / 1000 % 60, ms % 1000);
    }

    /** The JSON text of an Astra {@code event} column, padded so the event JSON is about {@code size} bytes. */
    public static String astraEventJson(long i, int size) {
        String base = "{\"orgId\": \"f3a6c6c2-7c1e-4c47-9a4f-2b1d8a1e0c11\", \"databaseId\": \"" + uuid(i)
                + "\", \"databaseName\": \"orders-" + i + "\", \"cloudProvider\": \"AWS\", \"region\": \"us-east-2\", \"requestId\": "
                + i + ", \"details\": \"";
        int padLen = Math.max(0, size - base.length() - 2);
        return base + pad(i, padLen) + "\"}";
    }

    public static String astraType(long i) {
        return ASTRA_TYPES[(int) (i % ASTRA_TYPES.length)];
    }

    /** One row of the Astra portal CSV export (event quoted, its quotes doubled), without line end. */
    public static String astraCsvRow(long i, int eventSize) {
        String event = astraEventJson(i, eventSize).replace("\"", "\"\"");
        return "AuditEvent," + (i % 17 == 0 ? "FAILURE" : "SUCCESS") + "," + uuid(i % 1000 + 7) + ",\"" + event + "\","
                + isoTime(i) + "," + astraType(i);
    }

    /** The id a Conduktor CloudEvent i carries (the bench parses i back from the relay's output key). */
    public static String conduktorId(long i) {
        return String.format(Locale.ROOT, "bench-%012d", i);
    }

    /** A structured-mode Conduktor CloudEvent, padded to about {@code size} bytes. */
    public static String conduktorJson(long i, int size) {
        String[] t = CONDUKTOR_TYPES[(int) (i % CONDUKTOR_TYPES.length)];
        String name = t[2] + "-" + i;
        String base = "{\"source\": \"//kafka/kafkacluster/production/" + t[2] + "/" + name + "\", \"data\": {\"eventType\": \""
                + t[0] + "\", \"metadata\": {\"name\": \"" + name + "\", \"cluster\": \"production\"}, \"userName\": \"user"
                + (i % 100) + "@example.com\", \"payload\": \"";
        String tail = "\"}, \"datacontenttype\": \"application/json\", \"id\": \"" + conduktorId(i) + "\", \"time\": \""
                + isoTime(i) + "\", \"type\": \"AuditLogEventType(" + t[1] + ")\", \"specversion\": \"1.0\"}";
        int padLen = Math.max(0, size - base.length() - tail.length());
        return base + pad(i, padLen) + tail;
    }

    /** An Airkit NDJSON record (documented columns), with a {@code payload} padding it to about {@code size} bytes. */
    public static String airkitJson(long i, int size) {
        String type = AIRKIT_TYPES[(int) (i % AIRKIT_TYPES.length)];
        String t = isoTime(i);
        String base = "{\"ORGANIZATION_ID\": \"org-7f3c2a1b\", \"EVENT_ID\": \"evt-" + i + "\", \"EVENT_YEAR\": \"2024\", "
                + "\"EVENT_MONTH\": \"" + t.substring(0, 10) + "\", \"EVENT_DATE\": \"" + t.substring(0, 10) + "\", \"EVENT_TIME\": \""
                + t.substring(0, 10) + " " + t.substring(11, 23) + "\", \"ROOT_SCOPE_USER_ID\": \"usr-root-01\", \"USER_ID\": \"usr-"
                + (i % 100) + "\", \"EMAIL\": \"maria@example.com\", \"APP_ID\": \"app-" + (i % 50) + "\", \"ROLE_ID\": \"role-editor\", "
                + "\"EVENT_TYPE\": \"" + type + "\", \"payload\": \"";
        int padLen = Math.max(0, size - base.length() - 2);
        return base + pad(i, padLen) + "\"}";
    }

    /** A CockroachDB Cloud audit log entry, its payload padded to about {@code size} bytes. */
    public static String cockroachJson(long i, int size) {
        String base = "{\"id\": \"" + uuid(i) + "\", \"trace_id\": \"cfa605927086bb630ab9eb69bfda5f5f\", \"session_id\": \""
                + "5e24b61f9fc7459ab2fac703b926a2622a347bf8993d32ef84e836e2f11053d3\", \"source\": \"AUDIT_LOG_SOURCE_CLOUD_CONSOLE\", "
                + "\"user_email\": \"ops@example.com\", \"cluster_id\": \"dc6360d2-b21c-451f-aa9f-b20ad6906475\", \"cluster_name\": "
                + "\"example-cluster\", \"action\": \"" + CRDB_ACTIONS[(int) (i % CRDB_ACTIONS.length)] + "\", \"metadata\": null, "
                + "\"error\": \"\", \"created_at\": \"" + isoTime(i) + "\", \"payload\": {\"request\": {\"name\": \"app_user_" + i
                + "\", \"note\": \"";
        int padLen = Math.max(0, size - base.length() - 4);
        return base + pad(i, padLen) + "\"}}}";
    }
}
