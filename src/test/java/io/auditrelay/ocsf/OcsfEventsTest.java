package io.auditrelay.ocsf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.auditrelay.event.Activity;
import io.auditrelay.event.AuditEvent;
import io.auditrelay.event.Outcome;
import io.auditrelay.mapper.Json;
import io.auditrelay.mapper.MappedFixtures;
import io.auditrelay.mapper.Mappers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Every OCSF event made from every vendor fixture and documented action is valid against the vendored OCSF schema. */
class OcsfEventsTest {

    private static final OcsfSchema SCHEMA = OcsfSchema.load(OcsfEvents.VERSION);

    static Stream<AuditEvent> events() {
        return Stream.concat(MappedFixtures.fixtures().stream(), MappedFixtures.everyDocumentedAction().stream());
    }

    @ParameterizedTest(name = "{index}: {0}")
    @MethodSource("events")
    void every_event_is_valid_ocsf(AuditEvent event) {
        for (boolean rawData : new boolean[] {false, true}) {
            ObjectNode ocsf = OcsfEvents.of(event, rawData);

            assertThat(SCHEMA.validate(ocsf)).as(ocsf.toString()).isEmpty();
            assertThat(ocsf.path("metadata").path("uid").asText()).isEqualTo(event.id());
            assertThat(ocsf.path("metadata").path("version").asText()).isEqualTo(SCHEMA.version());
            assertThat(ocsf.path("time").asLong()).isEqualTo(Instant.parse(event.time()).toEpochMilli());
            assertThat(ocsf.path("metadata").path("logged_time").asLong())
                    .isEqualTo(Instant.parse(event.received()).toEpochMilli());
            assertThat(ocsf.has("raw_data")).isEqualTo(rawData);
            if (event.org() != null) {
                assertThat(ocsf.path("cloud").path("account").path("uid").asText()).isEqualTo(event.org());
            }
            assertThat(ocsf.path("status_id").asInt()).isEqualTo(switch (event.outcome()) {
                case SUCCESS -> 1;
                case FAILURE -> 2;
                case UNKNOWN -> 0;
            });
        }
    }

    @Test
    void the_documented_actions_reach_every_class() {
        Set<Integer> classes = new HashSet<>();
        events().forEach(e -> classes.add(OcsfClass.of(e).uid()));

        assertThat(classes).containsExactlyInAnyOrderElementsOf(SCHEMA.classUids());
    }

    @Test
    void classes_follow_the_activity() {
        assertThat(OcsfClass.of(event("airkit", "user_login", Activity.LOGIN, null, null)))
                .isEqualTo(new OcsfClass(3002, 3, "Authentication", 1, "Logon"));
        assertThat(OcsfClass.of(event("airkit", "password_change", Activity.UPDATE, null, null)))
                .isEqualTo(new OcsfClass(3001, 3, "Account Change", 3, "Password Change"));
        assertThat(OcsfClass.of(event("conduktor", "Iam.User.Create", Activity.CREATE, "user", "carol@example.com")))
                .isEqualTo(new OcsfClass(3001, 3, "Account Change", 1, "Create"));
        assertThat(OcsfClass.of(event("conduktor", "user.permission.Added", Activity.GRANT, "user", "alice")))
                .isEqualTo(new OcsfClass(3005, 3, "User Access Management", 1, "Assign Privileges"));
        assertThat(OcsfClass.of(event("conduktor", "group.member.Deleted", Activity.REVOKE, "group", "7a9e")))
                .isEqualTo(new OcsfClass(3006, 3, "Group Management", 4, "Remove User"));
        assertThat(OcsfClass.of(event("astra", "KEYSPACE_CREATED", Activity.CREATE, "keyspace", "ks")))
                .isEqualTo(new OcsfClass(3004, 3, "Entity Management", 1, "Create"));
        assertThat(OcsfClass.of(event("airkit", "user_role_added", Activity.GRANT, "role", "r-1")))
                .as("the grantee is not named, so not User Access Management")
                .isEqualTo(new OcsfClass(6003, 6, "API Activity", 99, "Other"));
        assertThat(OcsfClass.of(event("airkit", "request_state", Activity.OTHER, null, null)).typeUid())
                .isEqualTo(600399L);
    }

    @Test
    void a_failed_login_carries_the_user_and_the_protocol() throws Exception {
        JsonNode record = Json.MAPPER.readTree("""
                {"EVENT_ID":"e-9","EVENT_TIME":"2024-03-05 13:05:00.5","EMAIL":"mallory@example.com",
                 "LOGIN_TYPE":"saml","EVENT_TYPE":"invalid_login","ORGANIZATION_ID":"org-1"}""");
        AuditEvent event = Mappers.forVendor("airkit").map(record,
                new io.auditrelay.mapper.MappingContext(Instant.parse("2024-03-05T13:05:01Z"), null));

        ObjectNode ocsf = OcsfEvents.of(event, false);

        assertThat(SCHEMA.validate(ocsf)).isEmpty();
        assertThat(ocsf.path("class_uid").asInt()).isEqualTo(3002);
        assertThat(ocsf.path("type_uid").asLong()).isEqualTo(300201L);
        assertThat(ocsf.path("status_id").asInt()).isEqualTo(2);
        assertThat(ocsf.path("user").path("email_addr").asText()).isEqualTo("mallory@example.com");
        assertThat(ocsf.path("auth_protocol_id").asInt()).isEqualTo(5);
        assertThat(ocsf.path("metadata").path("original_time").asText()).isEqualTo("2024-03-05 13:05:00.5");
        assertThat(ocsf.path("metadata").path("product").path("vendor_name").asText()).isEqualTo("Airkit");
        assertThat(ocsf.path("unmapped").path("action").asText()).isEqualTo("invalid_login");
    }

    @Test
    void the_schema_check_catches_what_ocsf_forbids() {
        ObjectNode valid = OcsfEvents.of(MappedFixtures.fixtures().get(0), false);
        assertThat(SCHEMA.validate(valid)).isEmpty();

        assertThat(SCHEMA.validate(valid.deepCopy().put("severity_id", 7))).isNotEmpty();
        assertThat(SCHEMA.validate(valid.deepCopy().put("time", "2024-03-05T12:34:56Z"))).isNotEmpty();
        assertThat(SCHEMA.validate(valid.deepCopy().put("no_such_attribute", 1))).isNotEmpty();
        ObjectNode noMetadata = valid.deepCopy();
        noMetadata.remove("metadata");
        assertThat(SCHEMA.validate(noMetadata)).isNotEmpty();
        ObjectNode badTypeUid = valid.deepCopy().put("type_uid", 300299);
        assertThat(SCHEMA.validate(badTypeUid)).isNotEmpty();
    }

    @Test
    void every_vendor_has_a_product() {
        assertThat(Products.vendors()).containsExactlyInAnyOrderElementsOf(Mappers.vendors());
    }

    private static AuditEvent event(String vendor, String action, Activity activity, String type, String id) {
        return new AuditEvent(vendor + ":1", "2024-03-05T12:34:56.789000Z", "2024-03-05T12:35:00.000000Z", vendor,
                action, activity, Outcome.SUCCESS, new AuditEvent.Actor("u-1", "u@example.com"),
                new AuditEvent.Resource(type, id, null), "org-1", Json.MAPPER.createObjectNode());
    }
}
