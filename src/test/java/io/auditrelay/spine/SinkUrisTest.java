package io.auditrelay.spine;

import io.auditrelay.testing.Output;
import io.auditrelay.testing.RelayRunner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** relay.sinks names the sinks; relay.sink.<name>.uri is the endpoint each name is sent to. */
class SinkUrisTest {

    private static final String CRDB_ENTRY = "{\"id\":\"40b15ccd-6a87-4efc-ac7b-157ba172f957\",\"user_email\":\"ops@example.com\","
            + "\"cluster_id\":\"c-1\",\"cluster_name\":\"example-cluster\",\"action\":\"AUDIT_LOG_ACTION_CREATE_CLUSTER\","
            + "\"payload\":{},\"metadata\":null,\"error\":\"\",\"created_at\":\"2022-10-09T02:40:00.262143Z\"}";
    private static final String AIRKIT_LINE = "{\"ORGANIZATION_ID\":\"org-1\",\"EVENT_ID\":\"evt_1\",\"EVENT_DATE\":\"2024-03-06\","
            + "\"EVENT_TIME\":\"2024-03-06T00:00:01\",\"USER_ID\":\"usr_42\",\"EVENT_TYPE\":\"new_datastore\"}";

    @TempDir
    Path dir;

    private static void write(Path file, String content) throws Exception {
        Files.createDirectories(file.getParent());
        Files.writeString(file, content, StandardCharsets.UTF_8);
    }

    @Test
    @Timeout(90)
    void a_sink_name_can_point_at_any_sink_endpoint_with_its_own_options() throws Exception {
        Path archive = dir.resolve("archive");
        RelayRunner relay = RelayRunner.inDir(dir)
                .with("relay.sinks", "ndjson,archive")
                .with("relay.sink.archive.uri", "audit-ndjson:" + archive + "?sinkName=archive&vendors=cockroachdb");
        write(relay.inbox("cockroachdb").resolve("entries.jsonl"), CRDB_ENTRY + "\n");
        write(relay.inbox("airkit").resolve("events.ndjson"), AIRKIT_LINE + "\n");

        relay.runOnce(Duration.ofSeconds(60));

        assertThat(Output.ids(relay.ndjsonDir())).hasSize(2).contains("cockroachdb:40b15ccd-6a87-4efc-ac7b-157ba172f957");
        assertThat(Output.ids(archive)).containsExactly("cockroachdb:40b15ccd-6a87-4efc-ac7b-157ba172f957");
    }

    @Test
    @Timeout(90)
    void a_sink_name_without_an_endpoint_fails_the_start_naming_it() {
        RelayRunner relay = RelayRunner.inDir(dir).with("relay.sinks", "csv,nosuch");

        assertThatThrownBy(() -> relay.runOnce(Duration.ofSeconds(60)))
                .hasStackTraceContaining("relay.sinks names unknown sinks [nosuch]");
    }
}
