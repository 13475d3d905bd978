package io.auditrelay.unit;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class PipeValuesTest {

    @Test
    void values_the_pipe_loader_encoded_are_decoded_and_plain_values_are_kept() {
        assertThat(PipeValues.decode("%2Fdata%2Fstate")).isEqualTo("/data/state");
        assertThat(PipeValues.decode("https%3A%2F%2Fcockroachlabs.cloud")).isEqualTo("https://cockroachlabs.cloud");
        assertThat(PipeValues.decode("wJal%2BXUt%2FK7M%3D")).isEqualTo("wJal+XUt/K7M=");
        // given as a property (Camel K, camel.kamelet.*): as written, '+' included
        assertThat(PipeValues.decode("wJal+XUt/K7M=")).isEqualTo("wJal+XUt/K7M=");
        assertThat(PipeValues.decode("/data/state")).isEqualTo("/data/state");
        assertThat(PipeValues.decode("100%")).isEqualTo("100%");
        assertThat(PipeValues.decode(null)).isNull();
    }

    @Test
    void the_parameters_map_is_decoded_in_place() {
        Map<String, Object> parameters = new HashMap<>(Map.of("stateDir", "%2Fdata%2Fstate", "pageSize", 200));
        PipeValues.decodeAll(parameters);
        assertThat(parameters).containsEntry("stateDir", "/data/state").containsEntry("pageSize", 200);
    }
}
