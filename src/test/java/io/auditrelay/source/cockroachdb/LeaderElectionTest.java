package io.auditrelay.source.cockroachdb;

import io.auditrelay.testing.Output;
import io.auditrelay.testing.RelayProcess;
import io.auditrelay.testing.RelayRunner;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two relay processes sharing one state directory: only the holder of the cluster lock polls the
 * API; when it is killed the other takes over and continues from the saved cursor, with no gap and
 * no duplicate.
 */
class LeaderElectionTest {

    @TempDir
    Path dir;

    private FakeCockroachCloud api;
    private final List<RelayProcess> processes = new ArrayList<>();

    @AfterEach
    void tearDown() {
        processes.forEach(RelayProcess::kill);
        if (api != null) {
            api.close();
        }
    }

    private RelayProcess replica(String name) {
        Map<String, String> props = RelayRunner.inDir(dir).properties();
        props.put("relay.inbox.enabled", "false");
        props.put("relay.sinks", "ndjson");
        props.put("relay.sink.ndjson.dir", dir.resolve("out-" + name).toString());
        props.put("relay.cluster.lock-interval-ms", "500");
        props.put("relay.source.cockroachdb.enabled", "true");
        props.put("relay.source.cockroachdb.url", api.url());
        props.put("relay.source.cockroachdb.api-key", FakeCockroachCloud.KEY);
        props.put("relay.source.cockroachdb.page-size", "3");
        props.put("relay.source.cockroachdb.poll-interval", "200ms");
        RelayProcess process = RelayProcess.start(props, dir.resolve(name + ".log"));
        processes.add(process);
        return process;
    }

    private List<String> ids(String name) {
        return Output.ids(dir.resolve("out-" + name));
    }

    @Test
    void only_the_leader_polls_and_a_new_leader_continues_from_the_saved_cursor() throws Exception {
        api = new FakeCockroachCloud();
        for (int i = 1; i <= 5; i++) {
            api.add("e" + i, "2024-05-01T10:00:0" + i + ".000001Z");
        }
        RelayProcess a = replica("a");
        RelayRunner.await(Duration.ofSeconds(90), () -> ids("a").size() == 5);
        RelayProcess b = replica("b");
        RelayRunner.await(Duration.ofSeconds(60), () -> b.log().contains("Apache Camel 4.17.0 (audit-relay) started"));

        for (int i = 6; i <= 8; i++) {
            api.add("e" + i, "2024-05-01T10:00:0" + i + ".000001Z");
        }
        RelayRunner.await(Duration.ofSeconds(30), () -> ids("a").size() == 8);
        // a window in which a second poller would have read the new entries too: five more polls of the leader (200 ms
        // apart; counted in polls, not in time, so a loaded machine widens the window instead of shrinking it)
        int polled = api.requests().size();
        RelayRunner.await(Duration.ofSeconds(30), () -> api.requests().size() >= polled + 5);
        assertThat(ids("b")).as("the standby replica polled").isEmpty();

        a.kill();
        int requestsBefore = api.requests().size();
        api.add("e9", "2024-05-01T10:00:09.000001Z");
        RelayRunner.await(Duration.ofSeconds(60), () -> ids("b").contains("cockroachdb:e9"));

        assertThat(api.requests().get(requestsBefore).startingFrom()).isEqualTo("2024-05-01T10:00:08.000001Z");
        List<String> all = new ArrayList<>(ids("a"));
        all.addAll(ids("b"));
        assertThat(all).containsExactly("cockroachdb:e1", "cockroachdb:e2", "cockroachdb:e3", "cockroachdb:e4",
                "cockroachdb:e5", "cockroachdb:e6", "cockroachdb:e7", "cockroachdb:e8", "cockroachdb:e9");
        assertThat(ids("b")).containsExactly("cockroachdb:e9");
    }
}
