package io.auditrelay.spine;

import com.fasterxml.jackson.databind.JsonNode;
import io.auditrelay.testing.Output;
import io.auditrelay.testing.RelayRunner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

class ExamplesRunTest {

    @TempDir
    Path dir;

    @Test
    void relay_once_over_the_examples_delivers_the_expected_events_per_vendor() {
        RelayRunner relay = RelayRunner.inDir(dir);
        relay.copyExamplesIntoInbox();

        relay.runOnce();

        List<JsonNode> events = Output.json(relay.ndjsonDir());
        Map<String, Long> perVendor = events.stream()
                .collect(Collectors.groupingBy(e -> e.get("vendor").asText(), Collectors.counting()));
        // astra: 6 export rows + 3 stream messages, one of which is also in the export
        assertThat(perVendor).containsExactlyInAnyOrderEntriesOf(Map.of("astra", 8L, "cockroachdb", 5L, "conduktor", 4L, "airkit", 7L));
        assertThat(events.stream().map(e -> e.get("id").asText()).collect(Collectors.groupingBy(Function.identity(), Collectors.counting())))
                .allSatisfy((id, n) -> assertThat(n).as(id).isEqualTo(1L));
        assertThat(Output.lines(relay.csvDir()).stream().filter(l -> !l.startsWith("id,"))).hasSize(24);
        assertThat(Output.jsonFile(relay.dlqFile())).isEmpty();
        assertThat(relay.inbox("airkit").resolve(".done/airkit-verify-test-1717236000")).exists();
    }
}
