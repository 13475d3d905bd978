package io.auditrelay.spine;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import io.auditrelay.testing.Output;
import io.auditrelay.testing.RelayRunner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class InboxToSinksTest {

    private static final String ASTRA_HEADER = "typename,actionResult,userID,event,eventTime,eventType";
    private static final String ASTRA_ROW = "AuditEvent,SUCCESS,u-1,\"{\"\"orgId\"\":\"\"org-1\"\",\"\"databaseId\"\":\"\"db-1\"\","
            + "\"\"databaseName\"\":\"\"orders, EU\"\"}\",2024-05-02T09:15:32.481Z,DB_CREATED";
    private static final String CRDB_ENTRY = "{\"id\":\"40b15ccd-6a87-4efc-ac7b-157ba172f957\",\"user_email\":\"ops@example.com\","
            + "\"cluster_id\":\"c-1\",\"cluster_name\":\"example-cluster\",\"action\":\"AUDIT_LOG_ACTION_CREATE_CLUSTER\","
            + "\"payload\":{},\"metadata\":null,\"error\":\"\",\"created_at\":\"2022-10-09T02:40:00.262143Z\"}";

    @TempDir
    Path dir;

    private RelayRunner relay() {
        return RelayRunner.inDir(dir);
    }

    private static void write(Path file, String content) throws Exception {
        Files.createDirectories(file.getParent());
        Files.writeString(file, content, StandardCharsets.UTF_8);
    }

    /** CSV lines with the received column (3rd) blanked, since it is the time of the run. */
    private static List<String> csvWithoutReceived(Path dir) {
        return Output.lines(dir).stream()
                .map(l -> l.startsWith("id,") ? l : l.replaceFirst("^([^,]*,[^,]*,)[^,]*,", "$1<received>,")).toList();
    }

    @Test
    void inbox_files_become_exact_csv_and_ndjson_rows() throws Exception {
        RelayRunner relay = relay().with("relay.org", "my-org");
        write(relay.inbox("astra").resolve("export.csv"), ASTRA_HEADER + "\r\n" + ASTRA_ROW + "\r\n");
        write(relay.inbox("cockroachdb").resolve("entries.jsonl"), CRDB_ENTRY + "\n");

        relay.runOnce();

        String astraId = Output.ids(relay.ndjsonDir()).get(1);
        assertThat(astraId).matches("astra:[0-9a-f]{64}");
        assertThat(csvWithoutReceived(relay.csvDir())).containsExactly(
                "id,time,received,vendor,action,activity,outcome,actor_id,actor_email,resource_type,resource_id,resource_name,org,raw",
                "cockroachdb:40b15ccd-6a87-4efc-ac7b-157ba172f957,2022-10-09T02:40:00.262143Z,<received>,cockroachdb,"
                        + "AUDIT_LOG_ACTION_CREATE_CLUSTER,create,success,,ops@example.com,cluster,c-1,example-cluster,my-org,\""
                        + CRDB_ENTRY.replace("\"", "\"\"") + "\"",
                "id,time,received,vendor,action,activity,outcome,actor_id,actor_email,resource_type,resource_id,resource_name,org,raw",
                astraId + ",2024-05-02T09:15:32.481000Z,<received>,astra,DB_CREATED,create,success,u-1,,database,db-1,\"orders, EU\",org-1,"
                        + "\"{\"\"typename\"\":\"\"AuditEvent\"\",\"\"actionResult\"\":\"\"SUCCESS\"\",\"\"userID\"\":\"\"u-1\"\","
                        + "\"\"event\"\":\"\"{\\\"\"orgId\\\"\":\\\"\"org-1\\\"\",\\\"\"databaseId\\\"\":\\\"\"db-1\\\"\","
                        + "\\\"\"databaseName\\\"\":\\\"\"orders, EU\\\"\"}\"\",\"\"eventTime\"\":\"\"2024-05-02T09:15:32.481Z\"\","
                        + "\"\"eventType\"\":\"\"DB_CREATED\"\"}\"");
        assertThat(Files.readString(relay.csvDir().resolve("audit-2024-05-02.csv"))).endsWith("\r\n");

        List<JsonNode> events = Output.json(relay.ndjsonDir());
        assertThat(events).hasSize(2);
        JsonNode crdb = events.get(0);
        assertThat(crdb.get("id").asText()).isEqualTo("cockroachdb:40b15ccd-6a87-4efc-ac7b-157ba172f957");
        assertThat(crdb.get("time").asText()).isEqualTo("2022-10-09T02:40:00.262143Z");
        assertThat(crdb.get("schema_version").asText()).isEqualTo("2.0");
        assertThat(crdb.get("actor").get("type").asText()).isEqualTo("user");
        assertThat(crdb.get("raw")).isEqualTo(io.auditrelay.mapper.Json.MAPPER.readTree(CRDB_ENTRY));
        assertThat(relay.inbox("astra").resolve(".done/export.csv")).exists();
        assertThat(relay.inbox("cockroachdb").resolve(".done/entries.jsonl")).exists();
    }

    @Test
    void two_copies_of_a_file_and_a_restart_deliver_each_event_once() throws Exception {
        RelayRunner first = relay();
        write(first.inbox("cockroachdb").resolve("a.jsonl"), CRDB_ENTRY + "\n");
        write(first.inbox("cockroachdb").resolve("b.jsonl"), CRDB_ENTRY + "\n");
        first.runOnce();
        assertThat(Output.ids(first.ndjsonDir())).containsExactly("cockroachdb:40b15ccd-6a87-4efc-ac7b-157ba172f957");

        RelayRunner second = relay();
        write(second.inbox("cockroachdb").resolve("c.jsonl"), CRDB_ENTRY + "\n");
        second.runOnce();

        assertThat(Output.ids(second.ndjsonDir())).containsExactly("cockroachdb:40b15ccd-6a87-4efc-ac7b-157ba172f957");
        assertThat(Output.lines(second.csvDir())).hasSize(2);
        assertThat(second.inbox("cockroachdb").resolve(".done/c.jsonl")).exists();
    }

    @Test
    void a_file_goes_through_in_chunks_with_duplicates_and_bad_records_across_chunk_boundaries() throws Exception {
        RelayRunner relay = relay().with("relay.ingest.chunk-size", "2").with("relay.sinks", "csv,ndjson")
                .with("relay.sink.csv.vendors", "astra");
        StringBuilder file = new StringBuilder();
        for (int i = 0; i < 7; i++) {
            // 0,1 | 2,0 (duplicate of the 1st chunk) | bad,3 | 3 (duplicate within the chunk),4 | 5,6
            if (i == 3) {
                file.append("{\"id\":\"no-time\"}\n");
            }
            file.append(CRDB_ENTRY.replace("40b15ccd", i + "0b15ccd")).append('\n');
            if (i == 2) {
                file.append(CRDB_ENTRY.replace("40b15ccd", "00b15ccd")).append('\n');
            }
            if (i == 3) {
                file.append(CRDB_ENTRY.replace("40b15ccd", "30b15ccd")).append('\n');
            }
        }
        write(relay.inbox("cockroachdb").resolve("many.jsonl"), file.toString());

        RelayStats stats = relay.start().getRegistry().lookupByNameAndType("relayStats", RelayStats.class);
        RelayRunner.await(java.time.Duration.ofSeconds(30),
                () -> Files.exists(relay.inbox("cockroachdb").resolve(".done/many.jsonl")));
        relay.stop();

        assertThat(Output.ids(relay.ndjsonDir())).containsExactlyInAnyOrder(java.util.stream.IntStream.range(0, 7)
                .mapToObj(i -> "cockroachdb:" + i + "0b15ccd-6a87-4efc-ac7b-157ba172f957").toArray(String[]::new));
        assertThat(Output.lines(relay.csvDir())).as("the csv sink takes only astra").isEmpty();
        assertThat(Output.jsonFile(relay.dlqFile())).singleElement()
                .satisfies(d -> assertThat(d.get("source").asText()).isEqualTo("many.jsonl:5"));
        assertThat(stats.snapshot().get("cockroachdb").duplicates()).isEqualTo(2);
        assertThat(stats.snapshot().get("cockroachdb").delivered()).isEqualTo(7);
    }

    @Test
    void the_same_astra_event_from_the_csv_export_and_the_stream_is_delivered_once() throws Exception {
        RelayRunner relay = relay();
        write(relay.inbox("astra").resolve("export.csv"), ASTRA_HEADER + "\n" + ASTRA_ROW + "\n");
        write(relay.inbox("astra").resolve("stream.jsonl"), "{\"typename\":\"AuditEvent\",\"actionResult\":\"SUCCESS\","
                + "\"userID\":\"u-1\",\"event\":{\"databaseName\":\"orders, EU\",\"databaseId\":\"db-1\",\"orgId\":\"org-1\"},"
                + "\"eventTime\":\"2024-05-02T09:15:32.481Z\",\"eventType\":\"DB_CREATED\"}\n");

        relay.runOnce();

        assertThat(Output.ids(relay.ndjsonDir())).hasSize(1);
        assertThat(relay.inbox("astra").resolve(".done/stream.jsonl")).exists();
    }

    @Test
    void malformed_input_is_dead_lettered_with_a_reason_and_the_good_records_are_delivered() throws Exception {
        RelayRunner relay = relay();
        String good2 = CRDB_ENTRY.replace("40b15ccd", "50b15ccd");
        String badTime = CRDB_ENTRY.replace("40b15ccd", "60b15ccd").replace("2022-10-09T02:40:00.262143Z", "yesterday");
        write(relay.inbox("cockroachdb").resolve("mixed.jsonl"), CRDB_ENTRY + "\n"
                + "this is not json\n"
                + "{\"id\":\"trunc\",\"created_at\":\"2022-10\n"
                + badTime + "\n"
                + good2 + "\n");
        write(relay.inbox("astra").resolve("wrong-header.csv"), "when,who,what\n2024-01-01,me,DB_CREATED\n");
        Files.createDirectories(relay.inbox("airkit"));
        Files.write(relay.inbox("airkit").resolve("blob.csv"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 0, 0, 0, 1});
        write(relay.inbox("airkit").resolve("airkit-verify-test-1717236000"), "verify");

        relay.runOnce();

        assertThat(Output.ids(relay.ndjsonDir())).containsExactlyInAnyOrder(
                "cockroachdb:40b15ccd-6a87-4efc-ac7b-157ba172f957", "cockroachdb:50b15ccd-6a87-4efc-ac7b-157ba172f957");
        List<JsonNode> dead = Output.jsonFile(relay.dlqFile());
        assertThat(dead).extracting(d -> d.get("source").asText() + " | " + d.get("error").asText())
                .anySatisfy(s -> assertThat(s).startsWith("mixed.jsonl:2 | not valid JSON"))
                .anySatisfy(s -> assertThat(s).startsWith("mixed.jsonl:3 | not valid JSON"))
                .anySatisfy(s -> assertThat(s).startsWith("mixed.jsonl:4 | created_at"))
                .anySatisfy(s -> assertThat(s).contains("wrong-header.csv | wrong CSV header"))
                .anySatisfy(s -> assertThat(s).contains("blob.csv | binary content"))
                .hasSize(5);
        assertThat(dead).filteredOn(d -> d.get("source").asText().equals("mixed.jsonl:2"))
                .extracting(d -> d.get("raw").asText()).containsExactly("this is not json");
        assertThat(relay.inbox("cockroachdb").resolve(".done/mixed.jsonl")).exists();
        assertThat(relay.inbox("astra").resolve(".error/wrong-header.csv")).exists();
        assertThat(relay.inbox("airkit").resolve(".error/blob.csv")).exists();
        assertThat(relay.inbox("airkit").resolve(".done/airkit-verify-test-1717236000")).exists();
    }

    @Test
    void every_output_event_of_the_examples_validates_against_the_json_schema() throws Exception {
        RelayRunner relay = relay();
        relay.copyExamplesIntoInbox();

        relay.runOnce();

        JsonSchema schema;
        try (InputStream in = Files.newInputStream(Path.of("schema/audit-event.schema.json"))) {
            schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(in);
        }
        List<JsonNode> events = Output.json(relay.ndjsonDir());
        assertThat(events).hasSize(24);
        for (JsonNode event : events) {
            assertThat(schema.validate(event)).as(event.toString()).isEmpty();
        }
    }
}
