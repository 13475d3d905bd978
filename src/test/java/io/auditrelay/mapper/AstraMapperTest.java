package io.auditrelay.mapper;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.auditrelay.event.Activity;
import io.auditrelay.event.AuditEvent;
import io.auditrelay.event.Outcome;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;

import static io.auditrelay.mapper.Fixtures.CONTEXT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AstraMapperTest {

    private final AstraMapper mapper = new AstraMapper();

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "ACCEPT_USER_TO_ORGANIZATION, CREATE, user",
        "ADD_SAML_IDP, CREATE, sso_idp",
        "CDC_ENABLED, ENABLE, database",
        "COPY_ROLE, CREATE, role",
        "CP_ACL_DELETED, DELETE, access_list",
        "CREATE_ACCESS_LIST, CREATE, access_list",
        "CREATE_ORG, CREATE, organization",
        "CREATE_ROLE, CREATE, role",
        "CREATE_USER, CREATE, user",
        "CUSTOM_DNS_ENABLED, ENABLE, custom_domain",
        "CUSTOM_DNS_ADDED, CREATE, custom_domain",
        "DB_CREATED, CREATE, database",
        "DB_DELETED, DELETE, database",
        "DELETE_IDP, DELETE, sso_idp",
        "DELETE_ORG, DELETE, organization",
        "DELETE_ROLE, DELETE, role",
        "DELETE_TOKEN_FOR_CLIENT, DELETE, token",
        "DELETE_USER, DELETE, user",
        "DISABLE_IDP, DISABLE, sso_idp",
        "DISABLE_ORG_SSO, DISABLE, organization",
        "DP_ACL_CREATED, CREATE, access_list",
        "DP_ACL_DELETED, DELETE, access_list",
        "DP_ACL_MODIFIED, UPDATE, access_list",
        "ENABLE_IDP, ENABLE, sso_idp",
        "ENABLE_ORG_SSO, ENABLE, organization",
        "GENERATE_TOKEN_FOR_CLIENT, CREATE, token",
        "INVITE_USER_TO_ORGANIZATION, CREATE, invitation",
        "KEYSPACE_CREATED, CREATE, keyspace",
        "KEYSPACE_DELETED, DELETE, keyspace",
        "LAUNCHED_CQLSH, READ, database",
        "METRICS_EXPORT_CONFIGURED, CREATE, metrics_export",
        "METRICS_EXPORT_DELETED, DELETE, metrics_export",
        "MR_ADDED, CREATE, database",
        "PE_CONFIGURED, CREATE, private_endpoint",
        "PE_DELETED, DELETE, private_endpoint",
        "PREP_NEW_IDP, CREATE, sso_idp",
        "PROVISION_SSO_USER_INTO_ORGANIZATION, CREATE, user",
        "REMOVE_USER_FROM_ORG, REVOKE, user",
        "REPLACE_EXISTING_LIST, UPDATE, access_list",
        "REVOKE_INVITATION, REVOKE, invitation",
        "UPDATE_IDP, UPDATE, sso_idp",
        "UPDATE_ROLE, UPDATE, role"
    })
    void everyDocumentedEventType(String eventType, Activity activity, String resourceType) {
        AuditEvent event = mapper.map(record(eventType, "{}"), CONTEXT);

        assertThat(event.action()).isEqualTo(eventType);
        assertThat(event.activity()).isEqualTo(activity);
        assertThat(event.resource().type()).isEqualTo(resourceType);
        assertThat(AstraMapper.ACTIVITIES).containsKey(eventType);
    }

    @Test
    void tableCoversExactlyTheDocumentedTypes() {
        assertThat(AstraMapper.ACTIVITIES).hasSize(42);
    }

    @Test
    void unknownTypeFallsBackToWords() {
        assertThat(mapper.map(record("DB_PARKED_DELETED", "{}"), CONTEXT).activity()).isEqualTo(Activity.DELETE);
        assertThat(mapper.map(record("VECTOR_INDEX_ADDED", "{}"), CONTEXT).activity()).isEqualTo(Activity.CREATE);
        assertThat(mapper.map(record("WHATEVER", "{}"), CONTEXT).activity()).isEqualTo(Activity.OTHER);
    }

    @Test
    void mapsCsvRow() throws Exception {
        ObjectNode row = Fixtures.csv("astra/audit-log.csv").get(0);

        AuditEvent event = mapper.map(row, CONTEXT);

        String expectedHash = sha256("9b5a5d0e-2c43-4a7f-8b0e-3f3c2a1d7e11|2024-03-05T12:34:56.789Z|DB_CREATED|SUCCESS|"
                + "{\"cloudProvider\":\"AWS\",\"databaseId\":\"3e5ab3f4-97c1-4d3b-9e0c-6a1f0b2c8d77\",\"name\":\"orders\","
                + "\"orgId\":\"f1c2d3e4-0000-4a5b-9c8d-112233445566\",\"region\":\"us-east-2\",\"tier\":\"serverless\"}");
        assertThat(event.id()).isEqualTo("astra:" + expectedHash);
        assertThat(event.time()).isEqualTo("2024-03-05T12:34:56.789000Z");
        assertThat(event.received()).isEqualTo("2024-11-01T10:00:00.123456Z");
        assertThat(event.vendor()).isEqualTo("astra");
        assertThat(event.action()).isEqualTo("DB_CREATED");
        assertThat(event.activity()).isEqualTo(Activity.CREATE);
        assertThat(event.outcome()).isEqualTo(Outcome.SUCCESS);
        assertThat(event.actor()).isEqualTo(new AuditEvent.Actor("9b5a5d0e-2c43-4a7f-8b0e-3f3c2a1d7e11", null, "user", null));
        assertThat(event.resource()).isEqualTo(
                new AuditEvent.Resource("database", "3e5ab3f4-97c1-4d3b-9e0c-6a1f0b2c8d77", "orders"));
        assertThat(event.org()).isEqualTo("f1c2d3e4-0000-4a5b-9c8d-112233445566");
        assertThat(event.raw()).isSameAs(row);
    }

    @Test
    void csvRowAndStreamMessagesOfTheSameEventShareTheId() {
        AuditEvent fromCsv = mapper.map(Fixtures.csv("astra/audit-log.csv").get(0), CONTEXT);
        AuditEvent fromObject = mapper.map(Fixtures.json("astra/stream-event-object.json"), CONTEXT);
        AuditEvent fromString = mapper.map(Fixtures.json("astra/stream-event-string.json"), CONTEXT);

        assertThat(fromObject.id()).isEqualTo(fromCsv.id());
        assertThat(fromString.id()).isEqualTo(fromCsv.id());
        assertThat(fromObject.resource()).isEqualTo(fromCsv.resource());
        assertThat(fromObject.raw().get("event").isObject()).isTrue();
        assertThat(fromString.raw().get("event").isTextual()).isTrue();
    }

    @Test
    void differentEventsGetDifferentIds() {
        List<ObjectNode> rows = Fixtures.csv("astra/audit-log.csv");

        assertThat(rows.stream().map(r -> mapper.map(r, CONTEXT).id()).distinct()).hasSize(rows.size());
    }

    @Test
    void actorEmailOutcomeAndDefaultOrg() {
        AuditEvent invite = mapper.map(Fixtures.csv("astra/audit-log.csv").get(1), CONTEXT);

        assertThat(invite.outcome()).isEqualTo(Outcome.FAILURE);
        assertThat(invite.actor().email()).isEqualTo("new.hire@example.com");
        assertThat(invite.resource().id()).isEqualTo("b7c8d9e0-1111-4222-8333-444455556666");
        assertThat(invite.org()).isEqualTo("default-org");
    }

    @ParameterizedTest
    @CsvSource({"SUCCESS, SUCCESS", "FAILURE, FAILURE", "FAILED, FAILURE", "ERROR, FAILURE", "denied, FAILURE",
        "PENDING, UNKNOWN", "'', UNKNOWN"})
    void outcomeFromActionResult(String actionResult, Outcome expected) {
        ObjectNode record = record("DB_CREATED", "{}");
        record.put("actionResult", actionResult);

        assertThat(mapper.map(record, CONTEXT).outcome()).isEqualTo(expected);
    }

    @Test
    void plainStringEventIsHashedAsAJsonString() throws Exception {
        ObjectNode record = record("LAUNCHED_CQLSH", "opened shell");

        AuditEvent event = mapper.map(record, CONTEXT);

        assertThat(event.id()).isEqualTo("astra:" + sha256("u-1|2024-03-05T12:34:56.789Z|LAUNCHED_CQLSH|SUCCESS|\"opened shell\""));
    }

    @Test
    void keyspaceHasItsDatabaseAsParentAndPayloadClientDetailsAreKept() {
        ObjectNode record = record("KEYSPACE_CREATED",
                "{\"databaseId\":\"db-1\",\"keyspaceName\":\"ks\",\"clientIp\":\"198.51.100.7\","
                        + "\"userAgent\":\"astra-cli/0.5\"}");

        AuditEvent event = mapper.map(record, CONTEXT);

        assertThat(event.resource().parent()).isEqualTo("db-1");
        assertThat(event.src().ip()).isEqualTo("198.51.100.7");
        assertThat(event.userAgent()).isEqualTo("astra-cli/0.5");
        assertThat(mapper.map(record("DB_CREATED", "{\"databaseId\":\"db-1\"}"), CONTEXT).resource().parent()).isNull();
    }

    @Test
    void epochMillisFromAStreamAreAccepted() {
        ObjectNode record = record("DB_CREATED", "{}");
        record.put("eventTime", 1709642096789L);

        assertThat(mapper.map(record, CONTEXT).time()).isEqualTo("2024-03-05T12:34:56.789000Z");
    }

    @Test
    void missingEventTypeNamesTheField() {
        ObjectNode record = record("DB_CREATED", "{}");
        record.remove("eventType");

        assertField(record, "eventType");
    }

    @Test
    void missingOrBadEventTimeNamesTheField() {
        ObjectNode missing = record("DB_CREATED", "{}");
        missing.put("eventTime", "");
        ObjectNode bad = record("DB_CREATED", "{}");
        bad.put("eventTime", "05/03/2024 12:34");

        assertField(missing, "eventTime");
        assertField(bad, "eventTime");
    }

    @Test
    void truncatedJsonEventNamesTheField() {
        assertField(record("DB_CREATED", "{\"databaseId\": \"3e5a"), "event");
    }

    @Test
    void nonObjectRecordIsRejected() {
        assertField(Json.MAPPER.getNodeFactory().textNode("DB_CREATED"), "record");
    }

    private void assertField(JsonNode record, String field) {
        assertThatThrownBy(() -> mapper.map(record, CONTEXT))
                .isInstanceOfSatisfying(MappingException.class, e -> assertThat(e.field()).isEqualTo(field));
    }

    private static ObjectNode record(String eventType, String event) {
        ObjectNode record = Json.MAPPER.createObjectNode();
        record.put("typename", "AuditEvent");
        record.put("actionResult", "SUCCESS");
        record.put("userID", "u-1");
        record.put("event", event);
        record.put("eventTime", "2024-03-05T12:34:56.789Z");
        record.put("eventType", eventType);
        return record;
    }

    private static String sha256(String text) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    }
}
