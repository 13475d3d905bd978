package io.auditrelay.mapper;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.auditrelay.event.Activity;
import io.auditrelay.event.AuditEvent;
import io.auditrelay.event.Outcome;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static io.auditrelay.mapper.Fixtures.CONTEXT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AirkitMapperTest {

    private final AirkitMapper mapper = new AirkitMapper();

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "portal_page_view, READ", "deployment_changed, UPDATE", "new_adapter, CREATE", "deleted_api_key, DELETE",
        "deleted_encryption_key, DELETE", "modified_notifier, UPDATE", "new_saml, CREATE", "invite_sent, CREATE",
        "new_encryption_key, CREATE", "user_support_scope_assigned, GRANT", "deleted_resource, DELETE",
        "user_role_removed, REVOKE", "deleted_notifier, DELETE", "clone_datastore, CREATE", "invalid_login, LOGIN",
        "saml_assertion_received, LOGIN", "user_created, CREATE", "user_logout, LOGOUT",
        "deleted_domain_certificate, DELETE", "new_embed, CREATE", "user_root_scope_assigned, GRANT",
        "deleted_adapter, DELETE", "modified_datastore, UPDATE", "deleted_datastore, DELETE", "user_login, LOGIN",
        "app_deployed, ENABLE", "new_resource, CREATE", "new_api_key, CREATE", "modified_adapter, UPDATE",
        "modified_api_key, UPDATE", "data_migration, UPDATE", "org_created, CREATE",
        "new_domain_certificate, CREATE", "modified_domain_certificate, UPDATE", "new_notifier, CREATE",
        "backup_datastore, CREATE", "new_datastore, CREATE", "password_change, UPDATE", "modified_embed, UPDATE",
        "user_locked, DISABLE", "deleted_embed, DELETE", "app_undeployed, DISABLE", "app_created, CREATE",
        "user_role_added, GRANT", "request_state, OTHER"
    })
    void everyDocumentedEventType(String eventType, Activity expected) {
        AuditEvent event = mapper.map(row(eventType), CONTEXT);

        assertThat(event.action()).isEqualTo(eventType);
        assertThat(event.activity()).isEqualTo(expected);
        assertThat(event.outcome()).isEqualTo(eventType.equals("invalid_login") ? Outcome.FAILURE : Outcome.SUCCESS);
        assertThat(AirkitMapper.ACTIVITIES).containsKey(eventType);
    }

    @Test
    void tableCoversExactlyTheDocumentedTypes() {
        assertThat(AirkitMapper.ACTIVITIES).hasSize(45);
        assertThat(mapper.map(row("new_webhook"), CONTEXT).activity()).isEqualTo(Activity.CREATE);
        assertThat(mapper.map(row("modified_role"), CONTEXT).activity()).isEqualTo(Activity.UPDATE);
    }

    @Test
    void mapsUpperCaseRow() {
        JsonNode record = Fixtures.ndjson("airkit/events.ndjson").get(0);

        AuditEvent event = mapper.map(record, CONTEXT);

        assertThat(event.id()).isEqualTo("airkit:evt_01HQ8ZC2M4");
        assertThat(event.time()).isEqualTo("2024-03-05T12:34:56.789123Z");
        assertThat(event.received()).isEqualTo("2024-11-01T10:00:00.123456Z");
        assertThat(event.vendor()).isEqualTo("airkit");
        assertThat(event.action()).isEqualTo("app_deployed");
        assertThat(event.activity()).isEqualTo(Activity.ENABLE);
        assertThat(event.outcome()).isEqualTo(Outcome.SUCCESS);
        assertThat(event.actor()).isEqualTo(new AuditEvent.Actor("usr_42", "dana@example.com", "user", "usr_root_01"));
        assertThat(event.resource()).isEqualTo(new AuditEvent.Resource("app", "app_9f8e", null));
        assertThat(event.labels()).containsExactly(entry("deploy_id", "dep_55"));
        assertThat(event.org()).isEqualTo("org_7d1e2f");
        assertThat(event.raw()).isSameAs(record);
    }

    @Test
    void mapsLowerCaseRowWithTimeOfDayOnly() {
        AuditEvent event = mapper.map(Fixtures.ndjson("airkit/events.ndjson").get(1), CONTEXT);

        assertThat(event.id()).isEqualTo("airkit:evt_01HQ8ZD7K1");
        assertThat(event.time()).isEqualTo("2024-03-05T13:05:00.500000Z");
        assertThat(event.outcome()).isEqualTo(Outcome.FAILURE);
        assertThat(event.activity()).isEqualTo(Activity.LOGIN);
        assertThat(event.actor()).isEqualTo(new AuditEvent.Actor(null, "mallory@example.com", "user", null));
        assertThat(event.auth().method()).isEqualTo("password");
        assertThat(event.resource()).isEqualTo(new AuditEvent.Resource(null, null, null));
    }

    @Test
    void emptyOrgFallsBackAndEventTypePicksTheIdColumn() {
        AuditEvent event = mapper.map(Fixtures.ndjson("airkit/events.ndjson").get(2), CONTEXT);

        assertThat(event.time()).isEqualTo("2024-03-06T00:00:01.000000Z");
        assertThat(event.org()).isEqualTo("default-org");
        assertThat(event.resource()).isEqualTo(new AuditEvent.Resource("datastore", "ds_123", null, "app_9f8e"));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "APP_ID, app", "DATASTORE_ID, datastore", "API_KEY_ID, api_key", "NOTIFIER_ID, notifier",
        "SAML_ID, saml", "WEBHOOK_ID, webhook", "ADAPTER_ID, adapter", "EMBED_ID, embed", "ROLE_ID, role",
        "DOMAIN, domain"
    })
    void resourceTypeFromIdColumn(String column, String type) {
        ObjectNode row = row("request_state");
        row.put(column, "x-1");

        assertThat(mapper.map(row, CONTEXT).resource()).isEqualTo(new AuditEvent.Resource(type, "x-1", null));
    }

    @Test
    void explicitResourceColumnsWin() {
        ObjectNode row = row("new_resource");
        row.put("RESOURCE_TYPE", "journey");
        row.put("RESOURCE_ID", "res_9");
        row.put("APP_ID", "app_1");

        assertThat(mapper.map(row, CONTEXT).resource()).isEqualTo(new AuditEvent.Resource("journey", "res_9", null, "app_1"));
    }

    @Test
    void serviceLoginTypeRootScopeAndVersionColumns() {
        ObjectNode row = row("modified_datastore");
        row.put("USER_ID", "usr_7");
        row.put("ROOT_SCOPE_USER_ID", "usr_7");
        row.put("LOGIN_TYPE", "api_key");
        row.put("SERVICE", "studio");
        row.put("SERVICE_REVISION", "r812");
        row.put("BRANCH_ID", "br_1");
        row.put("SAVEPOINT_ID", "sp_3");
        row.put("SAVEPOINT_REVISION", "4");

        AuditEvent event = mapper.map(row, CONTEXT);

        assertThat(event.actor()).isEqualTo(new AuditEvent.Actor("usr_7", "u@example.com", "api_key", null));
        assertThat(event.auth().method()).isEqualTo("api_key");
        assertThat(event.service()).isEqualTo(new AuditEvent.Service("studio", "r812"));
        assertThat(event.labels()).containsExactly(entry("branch_id", "br_1"), entry("savepoint_id", "sp_3"),
                entry("savepoint_revision", "4"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"EVENT_ID", "EVENT_TIME", "EVENT_TYPE"})
    void missingRequiredColumnIsNamed(String column) {
        ObjectNode removed = row("user_login");
        removed.remove(column);
        ObjectNode empty = row("user_login");
        empty.put(column, "");

        assertField(removed, column);
        assertField(empty, column);
    }

    @Test
    void badEventTimeIsNamed() {
        ObjectNode row = row("user_login");
        row.put("EVENT_TIME", "last tuesday");

        assertField(row, "EVENT_TIME");
    }

    @Test
    void timeOfDayWithoutDateNamesTheDate() {
        ObjectNode row = row("user_login");
        row.put("EVENT_TIME", "12:00:00");
        row.remove("EVENT_DATE");

        assertField(row, "EVENT_DATE");
    }

    private void assertField(JsonNode record, String field) {
        assertThatThrownBy(() -> mapper.map(record, CONTEXT))
                .isInstanceOfSatisfying(MappingException.class, e -> assertThat(e.field()).isEqualTo(field));
    }

    private static ObjectNode row(String eventType) {
        ObjectNode row = Json.MAPPER.createObjectNode();
        row.put("ORGANIZATION_ID", "org_1");
        row.put("EVENT_ID", "evt_1");
        row.put("EVENT_DATE", "2024-03-05");
        row.put("EVENT_TIME", "2024-03-05 12:34:56.789");
        row.put("USER_ID", "usr_1");
        row.put("EMAIL", "u@example.com");
        row.put("EVENT_TYPE", eventType);
        return row;
    }
}
