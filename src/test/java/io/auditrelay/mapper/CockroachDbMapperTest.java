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
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CockroachDbMapperTest {

    private final CockroachDbMapper mapper = new CockroachDbMapper();

    private static JsonNode entry(int index) {
        return Fixtures.json("cockroachdb/auditlogevents.json").get("entries").get(index).deepCopy();
    }

    @Test
    void mapsClusterEntry() {
        JsonNode entry = entry(0);

        AuditEvent event = mapper.map(entry, CONTEXT);

        assertThat(event.id()).isEqualTo("cockroachdb:40b15ccd-6a87-4efc-ac7b-157ba172f957");
        assertThat(event.time()).isEqualTo("2022-10-09T02:40:00.262143Z");
        assertThat(event.received()).isEqualTo("2024-11-01T10:00:00.123456Z");
        assertThat(event.vendor()).isEqualTo("cockroachdb");
        assertThat(event.action()).isEqualTo("AUDIT_LOG_ACTION_CREATE_CLUSTER");
        assertThat(event.activity()).isEqualTo(Activity.CREATE);
        assertThat(event.outcome()).isEqualTo(Outcome.SUCCESS);
        assertThat(event.actor()).isEqualTo(new AuditEvent.Actor(null, null));
        assertThat(event.resource()).isEqualTo(
                new AuditEvent.Resource("cluster", "dc6360d2-b21c-451f-aa9f-b20ad6906475", "example-cluster"));
        assertThat(event.session().id())
                .isEqualTo("5e24b61f9fc7459ab2fac703b926a2622a347bf8993d32ef84e836e2f11053d3");
        assertThat(event.trace().id()).isEqualTo("cfa605927086bb630ab9eb69bfda5f5f");
        assertThat(event.labels()).containsExactly(org.assertj.core.api.Assertions.entry("source", "AUDIT_LOG_SOURCE_INTERNAL"));
        assertThat(event.org()).isEqualTo("default-org");
        assertThat(event.raw()).isSameAs(entry);
    }

    @Test
    void organizationEntryWithErrorIsAFailure() {
        AuditEvent event = mapper.map(entry(1), CONTEXT);

        assertThat(event.time()).isEqualTo("2022-10-09T02:40:35.054818Z");
        assertThat(event.outcome()).isEqualTo(Outcome.FAILURE);
        assertThat(event.activity()).isEqualTo(Activity.GRANT);
        assertThat(event.actor()).isEqualTo(new AuditEvent.Actor(null, "ops@example.com", "user", null));
        assertThat(event.resource()).isEqualTo(new AuditEvent.Resource("organization", null, null));
    }

    @Test
    void errorObjectCountsWhenNotEmpty() {
        ObjectNode withObject = (ObjectNode) entry(0);
        withObject.putObject("error").put("code", 7);
        ObjectNode withEmpty = (ObjectNode) entry(0);
        withEmpty.putObject("error");
        ObjectNode withNull = (ObjectNode) entry(0);
        withNull.putNull("error");

        assertThat(mapper.map(withObject, CONTEXT).outcome()).isEqualTo(Outcome.FAILURE);
        assertThat(mapper.map(withEmpty, CONTEXT).outcome()).isEqualTo(Outcome.SUCCESS);
        assertThat(mapper.map(withNull, CONTEXT).outcome()).isEqualTo(Outcome.SUCCESS);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "AUDIT_LOG_ACTION_CREATE_CLUSTER, CREATE",
        "AUDIT_LOG_ACTION_DELETE_CLUSTER, DELETE",
        "AUDIT_LOG_ACTION_UPDATE_CLUSTER, UPDATE",
        "AUDIT_LOG_ACTION_SET_CLUSTER_LABELS, UPDATE",
        "AUDIT_LOG_ACTION_EDIT_ALLOWLIST_ENTRY, UPDATE",
        "AUDIT_LOG_ACTION_MODIFY_CMEK, UPDATE",
        "AUDIT_LOG_ACTION_GRANT_ROLE, GRANT",
        "AUDIT_LOG_ACTION_ADD_ROLE_TO_USER, GRANT",
        "AUDIT_LOG_ACTION_REVOKE_ROLE, REVOKE",
        "AUDIT_LOG_ACTION_REMOVE_ROLE_FROM_USER, REVOKE",
        "AUDIT_LOG_ACTION_LOGIN, LOGIN",
        "AUDIT_LOG_ACTION_LOGOUT, LOGOUT",
        "AUDIT_LOG_ACTION_ENABLE_LOG_EXPORT, ENABLE",
        "AUDIT_LOG_ACTION_DISABLE_METRIC_EXPORT, DISABLE",
        "AUDIT_LOG_ACTION_GET_CLUSTER, READ",
        "AUDIT_LOG_ACTION_LIST_CLUSTERS, READ",
        "AUDIT_LOG_ACTION_READ_AUDIT_LOGS, READ",
        "AUDIT_LOG_ACTION_VIEW_INVOICE, READ",
        "AUDIT_LOG_ACTION_EXPORT_AUDIT_LOGS, READ",
        "AUDIT_LOG_ACTION_UNSPECIFIED, OTHER"
    })
    void activityFromActionWords(String action, Activity expected) {
        ObjectNode record = (ObjectNode) entry(0);
        record.put("action", action);

        assertThat(mapper.map(record, CONTEXT).activity()).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"id", "created_at", "action"})
    void missingRequiredFieldIsNamed(String field) {
        ObjectNode removed = (ObjectNode) entry(0);
        removed.remove(field);
        ObjectNode empty = (ObjectNode) entry(0);
        empty.put(field, "");

        assertField(removed, field);
        assertField(empty, field);
    }

    @ParameterizedTest
    @ValueSource(strings = {"2022-10-09", "2022-10-09T02:40:00.262143", "not-a-time"})
    void badCreatedAtIsNamed(String createdAt) {
        ObjectNode record = (ObjectNode) entry(0);
        record.put("created_at", createdAt);

        assertField(record, "created_at");
    }

    private void assertField(JsonNode record, String field) {
        assertThatThrownBy(() -> mapper.map(record, CONTEXT))
                .isInstanceOfSatisfying(MappingException.class, e -> assertThat(e.field()).isEqualTo(field));
    }
}
