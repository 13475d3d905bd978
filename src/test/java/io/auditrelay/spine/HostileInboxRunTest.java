package io.auditrelay.spine;

import com.fasterxml.jackson.databind.JsonNode;
import io.auditrelay.testing.Output;
import io.auditrelay.testing.RelayRunner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A {@code relay.once} run over hostile files of every vendor beside good ones: each bad record is dead-lettered once
 * with its reason and its line or entry, every good record before and after it is delivered exactly once, no file is
 * left in the inbox or moved to {@code .error/}, and no control byte reaches the CSV sink.
 */
class HostileInboxRunTest {

    private static final String AIRKIT_HEADER = "ORGANIZATION_ID,EVENT_ID,EVENT_YEAR,EVENT_MONTH,EVENT_DATE,EVENT_TIME,"
            + "ROOT_SCOPE_USER_ID,USER_ID,EMAIL,APP_ID,BRANCH_ID,DEPLOY_ID,SAVEPOINT_ID,SAVEPOINT_REVISION,RESOURCE_TYPE,"
            + "RESOURCE_ID,DOMAIN,DATASTORE_ID,API_KEY_ID,NOTIFIER_ID,SAML_ID,WEBHOOK_ID,ADAPTER_ID,EMBED_ID,ROLE_ID,SERVICE,"
            + "SERVICE_REVISION,LOGIN_TYPE,EVENT_TYPE";
    private static final String ASTRA_HEADER = "typename,actionResult,userID,event,eventTime,eventType";

    @TempDir
    Path dir;

    private static String conduktor(String id, String user, String name) {
        return "{\"specversion\":\"1.0\",\"id\":\"" + id + "\",\"source\":\"//kafka/kafkacluster/production/topic/" + id
                + "\",\"type\":\"AuditLogEventType(Kafka,Topic,Delete)\",\"time\":\"2024-10-10T07:52:07.483140Z\","
                + "\"datacontenttype\":\"application/json\",\"data\":{\"eventType\":\"Kafka.Topic.Delete\",\"metadata\":"
                + "{\"name\":\"" + name + "\",\"cluster\":\"production\"},\"userName\":\"" + user + "\"}}\n";
    }

    private static String cockroach(String id) {
        return "{\"id\":\"" + id + "\",\"user_email\":\"ops@example.com\",\"cluster_id\":\"c-1\",\"cluster_name\":\"x\","
                + "\"action\":\"AUDIT_LOG_ACTION_CREATE_CLUSTER\",\"payload\":{},\"metadata\":null,\"error\":\"\","
                + "\"created_at\":\"2022-10-09T02:40:00.262143Z\"}";
    }

    private static String astra(String user, String time) {
        return "AuditEvent,SUCCESS," + user + ",\"{\"\"orgId\"\": \"\"o-1\"\", \"\"databaseId\"\": \"\"db-1\"\"}\","
                + time + ",DB_CREATED\r\n";
    }

    private static String airkit(String id) {
        return "org-1," + id + ",2024,2024-06-01,2024-06-01,2024-06-01 10:00:01.250,usr-root,usr-42,maria@example.com"
                + ",,,,,,,,,,,,,,,,,,,password,user_login\n";
    }

    private static void write(Path file, byte[] content) throws IOException {
        Files.createDirectories(file.getParent());
        Files.write(file, content);
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] gzip(byte[] bytes) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(bytes);
        }
        return out.toByteArray();
    }

    @Test
    void every_bad_record_is_dead_lettered_with_its_place_and_every_good_one_is_delivered_once() throws Exception {
        RelayRunner relay = RelayRunner.inDir(dir);
        String deep = "[".repeat(50_000) + "]".repeat(50_000);
        write(relay.inbox("conduktor").resolve("c.jsonl"), utf8(conduktor("c1", "alice@example.com", "orders")
                + "{\"specversion\":\"1.0\",\"id\":\"deep\",\"data\":" + deep + "}\n"
                + conduktor("c2", "alice@example.com", "nul\\u0000and\\u001bescape")
                + conduktor("c1", "mallory@example.com", "orders")
                + conduktor("c1", "alice@example.com", "orders")
                + conduktor("c3", "alice@example.com", "last")));
        write(relay.inbox("cockroachdb").resolve("page.json"), utf8("{\"entries\":[\n" + cockroach("r1") + ",\n"
                + "{\"id\":\"deep\",\"payload\":" + deep + "},\n" + cockroach("r2") + ",\n" + cockroach("r3")
                + "\n],\"next_starting_from\":\"2022-10-09T02:40:35.054818Z\"}"));
        write(relay.inbox("astra").resolve("export.csv"), utf8("\uFEFF" + ASTRA_HEADER + "\r\n"
                + astra("u-1", "2024-05-02T09:15:32.481Z")
                + "AuditEvent,SUCCESS,u-2,\"{\"\"orgId\"\": \"\"o-1,2024-05-02T09:16:00.000Z,DB_CREATED\r\n"
                + astra("u-3", "2024-05-02T09:17:00.000Z") + astra("u-4", "2024-05-02T09:18:00.000Z")));
        ByteArrayOutputStream airkitCsv = new ByteArrayOutputStream();
        airkitCsv.writeBytes(utf8(AIRKIT_HEADER + "\n" + airkit("evt-1") + airkit("evt-2").replace("org-1,evt-2", "org-1,\"evt-2")
                + airkit("evt-3")));
        airkitCsv.writeBytes(utf8("org-1,evt-"));
        airkitCsv.writeBytes(new byte[] {(byte) 0xC3, (byte) 0x28});
        airkitCsv.writeBytes(utf8(airkit("4").substring("org-1,".length() + 1) + airkit("evt-5")));
        write(relay.inbox("airkit").resolve("a.csv"), airkitCsv.toByteArray());
        // a gzip bomb: two good lines, then 8 MiB members of one endless line (256 MiB inflated, 64 KiB on disk)
        ByteArrayOutputStream bomb = new ByteArrayOutputStream();
        bomb.writeBytes(gzip(utf8("{\"EVENT_ID\":\"b1\",\"ORGANIZATION_ID\":\"org-1\",\"EVENT_TIME\":\"2024-06-01 10:00:01.250\","
                + "\"EVENT_TYPE\":\"user_login\"}\n{\"EVENT_ID\":\"b2\",\"ORGANIZATION_ID\":\"org-1\","
                + "\"EVENT_TIME\":\"2024-06-01 10:00:02.250\",\"EVENT_TYPE\":\"user_login\"}\n")));
        byte[] member = new byte[8 << 20];
        Arrays.fill(member, (byte) ' ');
        byte[] packed = gzip(member);
        for (int i = 0; i < 32; i++) {
            bomb.writeBytes(packed);
        }
        write(relay.inbox("airkit").resolve("bomb.ndjson.gz"), bomb.toByteArray());

        relay.runOnce();

        List<String> ids = Output.ids(relay.ndjsonDir());
        assertThat(ids.stream().filter(id -> !id.startsWith("astra:")).sorted().toList()).containsExactly(
                "airkit:b1", "airkit:b2", "airkit:evt-1", "airkit:evt-3", "airkit:evt-5",
                "cockroachdb:r1", "cockroachdb:r2", "cockroachdb:r3",
                "conduktor:c1", "conduktor:c2", "conduktor:c3");
        List<JsonNode> events = Output.json(relay.ndjsonDir());
        assertThat(events.stream().filter(e -> e.path("vendor").asText().equals("astra"))
                .map(e -> e.path("actor").path("id").asText()).sorted().toList()).containsExactly("u-1", "u-3", "u-4");

        List<String> dead = Output.jsonFile(relay.dlqFile()).stream()
                .map(d -> d.path("source").asText() + " | " + d.path("error").asText()).sorted().toList();
        assertThat(dead).satisfiesExactly(
                d -> assertThat(d).startsWith("a.csv:3 | unbalanced quote: the quoted field opened on line 3"),
                d -> assertThat(d).startsWith("a.csv:5 | invalid UTF-8 at byte 11 of line 5"),
                d -> assertThat(d).startsWith("bomb.ndjson.gz:3- | gzip data inflates more than relay.input.max-compression-ratio"),
                d -> assertThat(d).startsWith("c.jsonl:2 | not valid JSON").contains("nesting depth"),
                d -> assertThat(d).startsWith("c.jsonl:4 | conflicting duplicate: the id conduktor:c1"),
                d -> assertThat(d).startsWith("export.csv:3 | unbalanced quote").contains("line 3"),
                d -> assertThat(d).startsWith("page.json:entries[1] | not valid JSON").contains("entry 1, line 3"));

        for (String vendor : List.of("conduktor", "cockroachdb", "astra", "airkit")) {
            try (Stream<Path> left = Files.list(relay.inbox(vendor))) {
                assertThat(left.map(p -> p.getFileName().toString())).as(vendor + " inbox").containsOnly(".done");
            }
        }
        byte[] csv = Files.readAllBytes(relay.csvDir().resolve("audit-2024-10-10.csv"));
        for (byte b : csv) {
            assertThat(b < 0x20 && b != '\r' && b != '\n' && b != '\t').as("control byte " + b + " in the CSV sink").isFalse();
        }
        assertThat(new String(csv, StandardCharsets.UTF_8)).contains("nul\\u0000and\\u001bescape");
    }
}
