package io.auditrelay.redact;

import com.fasterxml.jackson.databind.JsonNode;
import io.auditrelay.event.AuditEvent;
import io.auditrelay.mapper.Json;
import io.auditrelay.mapper.Mappers;
import io.auditrelay.mapper.MappingContext;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RedactionTest {

    private static JsonNode json(String text) throws Exception {
        return Json.MAPPER.readTree(text);
    }

    @Test
    void the_defaults_mask_an_astra_token_response_held_as_a_json_string_and_keep_the_id() throws Exception {
        JsonNode row = json("""
                {"typename":"AuditEvent","actionResult":"SUCCESS","userID":"u-1","eventTime":"2024-05-02T09:15:32.481Z",
                 "eventType":"GENERATE_TOKEN_FOR_CLIENT",
                 "event":"{\\"clientId\\":\\"c-1\\",\\"secret\\":\\"s3cr3t-value\\",\\"token\\":\\"AstraCS:AbCd:0123abcd\\",\\"orgId\\":\\"org-1\\"}"}""");
        AuditEvent event = Mappers.forVendor("astra").map(row, new MappingContext(Instant.EPOCH, null));

        AuditEvent redacted = Redaction.DEFAULTS.apply(event);

        String raw = redacted.raw().toString();
        assertThat(raw).doesNotContain("s3cr3t-value").doesNotContain("0123abcd").contains("c-1").contains("org-1");
        JsonNode inner = json(redacted.raw().get("event").asText());
        assertThat(inner.get("secret").asText()).isEqualTo(Redaction.MASK);
        assertThat(inner.get("token").asText()).isEqualTo(Redaction.MASK);
        assertThat(redacted.id()).isEqualTo(event.id());
        assertThat(event.raw().toString()).as("the original is not changed").contains("s3cr3t-value");
    }

    @Test
    void the_defaults_mask_a_cockroachdb_api_key_secret_and_key_formats_anywhere() throws Exception {
        JsonNode entry = json("""
                {"action":"AUDIT_LOG_ACTION_CREATE_API_KEY","payload":{"response":{"api_key":{"id":"k-1","name":"ci"},
                 "secret":"CCDB1_abc123_xyz789"},"note":"rotated, new key CCDB1_def456_uvw000 in vault"},
                 "header":"Authorization: Bearer abcdefghijklmnop","list":["eyJhbGciOi.eyJzdWIiOi.sig"]}""");

        JsonNode redacted = Redaction.DEFAULTS.apply("cockroachdb", entry);

        assertThat(redacted.toString()).doesNotContain("xyz789").doesNotContain("def456").doesNotContain("abcdefghijklmnop")
                .doesNotContain("eyJzdWIiOi").contains("k-1").contains("rotated, new key [REDACTED] in vault");
    }

    @Test
    void a_record_is_looked_at_field_by_field_a_credential_alone_in_a_value_is_found_and_a_clean_record_is_kept() throws Exception {
        JsonNode entry = json("""
                {"a":{"b":[1,true,{"h":"auth: bEaReR abcdefghijklmnop"}]},"action":"token.create"}""");
        JsonNode clean = json("""
                {"action":"token.create","note":"bearer","nested":"{\\"id\\":\\"x\\"}","n":[1,2]}""");

        assertThat(Redaction.DEFAULTS.apply("conduktor", entry).toString()).doesNotContain("abcdefghijklmnop");
        assertThat(Redaction.DEFAULTS.apply("conduktor", clean)).as("nothing to redact: the same record").isSameAs(clean);
        assertThat(Redaction.mayHoldCredential("x Bearer")).isTrue();
        assertThat(Redaction.mayHoldCredential("bear")).isFalse();
        // many b's before it (a hex string), the word in mixed case, the text ending in a b
        assertThat(Redaction.mayHoldCredential("0b1b2bbeadbeefbb BeArEr")).isTrue();
        assertThat(Redaction.mayHoldCredential("0b1b2bbeadbeefbb beare")).isFalse();
        assertThat(Redaction.mayHoldCredential("abcdef0123456789b")).isFalse();
        assertThat(Redaction.mayHoldCredential("B")).isFalse();
    }

    @Test
    void rules_by_name_and_path_per_vendor_mask_or_drop() throws Exception {
        Redaction redaction = Redaction.parse(
                "airkit:WEBHOOK_SIGNING_KEY=drop; $.data.metadata.internalNote; conduktor:$.data.items[*].pin=drop", false);
        JsonNode airkit = json("{\"webhook-signing-key\":\"k\",\"EVENT_ID\":\"e\"}");
        JsonNode conduktor = json("{\"data\":{\"metadata\":{\"internalNote\":\"n\"},\"items\":[{\"pin\":1,\"x\":2},{\"pin\":3}]}}");

        assertThat(redaction.apply("airkit", airkit)).isEqualTo(json("{\"EVENT_ID\":\"e\"}"));
        assertThat(redaction.apply("astra", airkit)).as("another vendor").isSameAs(airkit);
        // the answers per field name are kept per vendor: asked again, in either order, the same
        assertThat(redaction.apply("airkit", airkit)).isEqualTo(json("{\"EVENT_ID\":\"e\"}"));
        assertThat(redaction.apply("astra", airkit)).isSameAs(airkit);
        assertThat(redaction.apply("conduktor", conduktor))
                .isEqualTo(json("{\"data\":{\"metadata\":{\"internalNote\":\"[REDACTED]\"},\"items\":[{\"x\":2},{}]}}"));
        JsonNode untouched = json("{\"a\":{\"token\":\"t\"}}");
        assertThat(Redaction.NONE.apply("astra", untouched)).isSameAs(untouched);
        assertThat(Redaction.DEFAULTS.apply("astra", json("{\"tokenId\":\"t-1\"}")).toString()).contains("t-1");
    }

    @Test
    void a_path_reaches_into_json_held_in_a_string() throws Exception {
        JsonNode row = json("{\"event\":\"{\\\"clientId\\\":\\\"c-1\\\",\\\"orgId\\\":\\\"o\\\"}\",\"userID\":\"u\"}");

        JsonNode redacted = Redaction.parse("astra:$.event.clientId", false).apply("astra", row);

        assertThat(json(redacted.get("event").asText())).isEqualTo(json("{\"clientId\":\"[REDACTED]\",\"orgId\":\"o\"}"));
        assertThat(Redaction.parse("astra:$.event.orgX", false).apply("astra", row)).isSameAs(row);
    }

    @Test
    void text_that_is_not_json_has_secret_values_masked() {
        String csv = "AuditEvent,SUCCESS,u-1,\"{\"\"token\"\":\"\"AstraCS:Ab:cd12\"\",\"\"secret\"\":\"\"plain-s\"\"}\",x,Y";

        String redacted = Redaction.DEFAULTS.applyText("astra", csv);

        assertThat(redacted).doesNotContain("cd12").doesNotContain("plain-s").startsWith("AuditEvent,SUCCESS,u-1,");
        assertThat(Redaction.DEFAULTS.applyText("x", "{\"password\":\"p\"}")).isEqualTo("{\"password\":\"[REDACTED]\"}");
    }

    @Test
    void malformed_rules_are_refused() {
        assertThatThrownBy(() -> Redaction.parse("token=hide", true)).hasMessageContaining("mask or drop");
        assertThatThrownBy(() -> Redaction.parse("astra:", true)).hasMessageContaining("names no field");
        assertThatThrownBy(() -> Redaction.parse("a b", true)).hasMessageContaining("field name");
        assertThat(Redaction.parse("astra:token; *:$.a.b=drop", true).rules()).hasSize(2);
    }
}
