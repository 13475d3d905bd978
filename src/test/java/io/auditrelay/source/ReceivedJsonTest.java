package io.auditrelay.source;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.auditrelay.event.AuditEvent;
import io.auditrelay.event.ReceivedJson;
import io.auditrelay.event.SourceRecord;
import io.auditrelay.mapper.Json;
import io.auditrelay.redact.Redaction;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Records parsed from one line are written as they came; the tree that redaction looks at holds what the text holds. */
class ReceivedJsonTest {

    private final JsonRecords json = new JsonRecords(InputLimits.DEFAULTS);

    private static AuditEvent event(JsonNode raw) {
        return new AuditEvent("conduktor:e-1", "2024-05-02T09:15:32.481000Z", "2024-05-02T09:15:33.000000Z",
                "conduktor", "Kafka.Topic.Create", null, null, null, null, null, raw);
    }

    @Test
    void a_one_line_record_is_written_as_it_came_and_reads_back_as_the_same_tree() throws Exception {
        String text = " {\"id\":\"e-1\", \"name\":\"caf\\u00e9\",\"n\":1.50,\"data\":{\"a\":[1,2]},\"city\":\"Zürich\"} ";
        SourceRecord record = json.parse("conduktor", text, "t/0/7");

        assertThat(record.record()).isInstanceOf(ReceivedJson.class);
        String written = Json.MAPPER.writeValueAsString(event(record.record()));
        assertThat(written).endsWith(",\"raw\":" + text.strip() + "}");
        // the sinks write bytes: the same text, its UTF-8 copied
        assertThat(new String(Json.MAPPER.writeValueAsBytes(event(record.record())), StandardCharsets.UTF_8)).isEqualTo(written);
        JsonNode back = Json.MAPPER.readTree(written).get("raw");
        assertThat(back).isEqualTo(Json.MAPPER.readTree(text)).isEqualTo(record.record());
        // trees built from the event (dead letters, predicates) hold the record as a tree; canonical JSON sorts its keys
        assertThat(Json.MAPPER.valueToTree(event(record.record())).get("raw"))
                .isInstanceOf(ObjectNode.class).isEqualTo(back);
        assertThat(Json.canonical(record.record())).isEqualTo("{\"city\":\"Zürich\",\"data\":{\"a\":[1,2]},\"id\":\"e-1\",\"n\":1.5,\"name\":\"café\"}");
    }

    @Test
    void it_is_read_only_and_a_copy_is_a_plain_tree_written_from_the_tree() {
        ObjectNode received = (ObjectNode) json.parse("conduktor", "{\"id\":\"e-1\",\"note\":\"n\"}", "t/0/1").record();

        assertThatThrownBy(() -> received.put("note", "changed")).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> received.remove("note")).isInstanceOf(UnsupportedOperationException.class);
        ObjectNode copy = received.deepCopy();
        assertThat(copy).isNotInstanceOf(ReceivedJson.class);
        copy.put("note", "changed");
        assertThat(copy.toString()).contains("changed");
        assertThat(received.toString()).contains("\"note\":\"n\"");
    }

    @Test
    void a_record_with_a_key_twice_or_a_line_break_is_written_from_its_tree_so_nothing_redaction_missed_gets_out()
            throws Exception {
        // the first value of a repeated key is not in the tree redaction looks at: it must not reach a sink
        SourceRecord twice = json.parse("conduktor", "{\"id\":\"e-1\",\"note\":\"AstraCS:abc:def\",\"note\":\"ok\"}", "t/0/2");
        assertThat(twice.problem()).isNull();
        assertThat(twice.record()).isNotInstanceOf(ReceivedJson.class);
        assertThat(Json.MAPPER.writeValueAsString(Redaction.DEFAULTS.apply(event(twice.record()))))
                .doesNotContain("AstraCS").contains("\"note\":\"ok\"");

        SourceRecord pretty = json.parse("conduktor", "{\n  \"id\": \"e-1\",\n  \"note\": \"n\"\n}", "t/0/3");
        assertThat(pretty.record()).isNotInstanceOf(ReceivedJson.class);
        assertThat(Json.MAPPER.writeValueAsString(event(pretty.record()))).doesNotContain("\n").contains("\"note\":\"n\"");
    }

    @Test
    void a_redacted_record_is_written_from_the_redacted_copy() throws Exception {
        SourceRecord record = json.parse("conduktor", "{\"id\":\"e-1\",\"token\":\"t-secret\",\"n\":\"x\"}", "t/0/4");
        assertThat(record.record()).isInstanceOf(ReceivedJson.class);

        String written = Json.MAPPER.writeValueAsString(Redaction.DEFAULTS.apply(event(record.record())));

        assertThat(written).doesNotContain("t-secret").contains(Redaction.MASK);
    }

    @Test
    void a_credential_in_a_value_is_masked_whether_the_text_holds_it_verbatim_or_escaped() throws Exception {
        SourceRecord verbatim = json.parse("conduktor", "{\"id\":\"e-1\",\"note\":\"key AstraCS:abc:def\"}", "t/0/8");
        // an escape in the text: the value holds the token, the text does not
        SourceRecord escaped = json.parse("conduktor", "{\"id\":\"e-1\",\"note\":\"key \\u0041straCS:abc:def\"}", "t/0/9");

        for (SourceRecord record : List.of(verbatim, escaped)) {
            assertThat(record.record()).isInstanceOf(ReceivedJson.class);
            String written = Json.MAPPER.writeValueAsString(Redaction.DEFAULTS.apply(event(record.record())));
            assertThat(written).doesNotContain("AstraCS").doesNotContain("u0041").contains(Redaction.MASK);
        }
    }

    @Test
    void text_that_is_not_one_json_object_is_still_refused_with_the_reason() {
        assertThat(json.parse("conduktor", "[1,2]", "t/0/5").problem()).isEqualTo("not a JSON object");
        assertThat(json.parse("conduktor", "{\"id\":1} {\"id\":2}", "t/0/6").problem()).startsWith("not valid JSON");
        assertThat(json.parse("conduktor", "{\"id\":", "t/0/7").problem()).startsWith("not valid JSON");
    }

    @Test
    void a_payload_is_parsed_from_its_bytes_and_written_as_those_bytes() throws Exception {
        String text = "{\"id\":\"e-1\",\"name\":\"caf\\u00e9\",\"city\":\"Zürich\",\"n\":1.50}";
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        SourceRecord record = json.parse("conduktor", payload, "t/0/10");

        assertThat(record.record()).isInstanceOf(ReceivedJson.class).isEqualTo(Json.MAPPER.readTree(text));
        assertThat(record.text()).isEqualTo(text);
        byte[] written = Json.MAPPER.writeValueAsBytes(event(record.record()));
        assertThat(new String(written, StandardCharsets.UTF_8)).endsWith(",\"raw\":" + text + "}")
                .isEqualTo(Json.MAPPER.writeValueAsString(event(record.record())));
        // white space around the payload is not written: the stripped text's bytes are
        SourceRecord padded = json.parse("conduktor", (" \t" + text + " ").getBytes(StandardCharsets.UTF_8), "t/0/11");
        assertThat(new String(Json.MAPPER.writeValueAsBytes(event(padded.record())), StandardCharsets.UTF_8))
                .endsWith(",\"raw\":" + text + "}");
    }

    @Test
    void a_payload_read_from_its_bytes_is_refused_for_what_its_text_would_be() {
        SourceRecord twice = json.parse("conduktor",
                "{\"id\":\"e-1\",\"note\":\"AstraCS:abc:def\",\"note\":\"ok\"}".getBytes(StandardCharsets.UTF_8), "t/0/12");
        assertThat(twice.record()).isNotInstanceOf(ReceivedJson.class);
        assertThat(twice.record().get("note").asText()).isEqualTo("ok");
        assertThat(json.parse("conduktor", "{\"id\":1} {\"id\":2}".getBytes(StandardCharsets.UTF_8), "t/0/13").problem())
                .startsWith("not valid JSON");
        assertThat(json.parse("conduktor", "[1,2]".getBytes(StandardCharsets.UTF_8), "t/0/14").problem())
                .isEqualTo("not a JSON object");
        byte[] broken = {'{', '"', 'i', 'd', '"', ':', '"', (byte) 0xC3, '"', '}'};
        assertThat(json.parse("conduktor", broken, "t/0/15").problem()).isEqualTo("invalid UTF-8 at byte 8");
    }
}
