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

class ConduktorMapperTest {

    private final ConduktorMapper mapper = new ConduktorMapper();

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "Kafka.Subject.Create, CREATE", "Kafka.Subject.Update, UPDATE", "Kafka.Subject.Delete, DELETE",
        "Kafka.Topic.Create, CREATE", "Kafka.Topic.Update, UPDATE", "Kafka.Topic.Delete, DELETE",
        "Kafka.Topic.Empty, DELETE",
        "Kafka.Connector.Create, CREATE", "Kafka.Connector.Update, UPDATE", "Kafka.Connector.Delete, DELETE",
        "Iam.User.Create, CREATE", "Iam.User.Update, UPDATE", "Iam.User.Delete, DELETE",
        "Iam.Group.Create, CREATE", "Iam.Group.Update, UPDATE", "Iam.Group.Delete, DELETE",
        "SelfService.Application.Create, CREATE", "SelfService.Application.Update, UPDATE",
        "SelfService.Application.Upsert, UPDATE", "SelfService.Application.Delete, DELETE",
        "SelfService.ApplicationInstance.Create, CREATE", "SelfService.ApplicationInstance.Update, UPDATE",
        "SelfService.ApplicationInstance.Delete, DELETE",
        "SelfService.ApplicationGroup.Create, CREATE", "SelfService.ApplicationGroup.Update, UPDATE",
        "SelfService.ApplicationGroup.Delete, DELETE",
        "SelfService.ApplicationPolicy.Create, CREATE", "SelfService.ApplicationPolicy.Update, UPDATE",
        "SelfService.ApplicationPolicy.Delete, DELETE",
        "SelfService.ApplicationInstancePermission.Create, GRANT",
        "SelfService.ApplicationInstancePermission.Delete, REVOKE",
        "Admin.KafkaConnect.Create, CREATE", "Admin.KafkaConnect.Update, UPDATE", "Admin.KafkaConnect.Delete, DELETE",
        "Admin.KsqlDB.Create, CREATE", "Admin.KsqlDB.Update, UPDATE", "Admin.KsqlDB.Delete, DELETE",
        "Admin.KafkaCluster.Create, CREATE", "Admin.KafkaCluster.Update, UPDATE", "Admin.KafkaCluster.Delete, DELETE"
    })
    void everyExportedEventType(String eventType, Activity expected) {
        ObjectNode record = Fixtures.object("conduktor/kafka-topic-create.json");
        ((ObjectNode) record.get("data")).put("eventType", eventType);

        AuditEvent event = mapper.map(record, CONTEXT);

        assertThat(event.action()).isEqualTo(eventType);
        assertThat(event.activity()).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "topic.ProducedRecord, CREATE", "topic.Browsed, READ", "topic.Deleted, DELETE", "topic.Created, CREATE",
        "topic.Updated, UPDATE", "topic.Emptied, DELETE", "topic.Tagged, UPDATE", "topic.Untagged, UPDATE",
        "subject.Created, CREATE", "subject.Updated, UPDATE", "subject.ChangedCompat, UPDATE",
        "subject.Deleted, DELETE", "subject.DeletedVersions, DELETE", "subject.DeletedVersion, DELETE",
        "registry.ChangedGlobalCompat, UPDATE",
        "consumergroup.Created, CREATE", "consumergroup.Updated, UPDATE", "consumergroup.Deleted, DELETE",
        "connector.Created, CREATE", "connector.Updated, UPDATE", "connector.Deleted, DELETE",
        "connector.Restarted, UPDATE", "connector.RestartedTask, UPDATE", "connector.Paused, DISABLE",
        "connector.Resumed, ENABLE",
        "policy.Upserted, UPDATE", "policy.Deleted, DELETE",
        "application.Created, CREATE", "application.Deleted, DELETE", "application.Updated, UPDATE",
        "application.access-request.Approved, GRANT", "application.access-request.Rejected, OTHER",
        "cluster.Created, CREATE", "cluster.Updated, UPDATE", "cluster.Deleted, DELETE",
        "group.Created, CREATE", "group.member.Added, GRANT", "group.member.Deleted, REVOKE",
        "group.permission.Added, GRANT", "group.permission.Deleted, REVOKE",
        "user.Login, LOGIN", "user.permission.Added, GRANT", "user.permission.Deleted, REVOKE",
        "user.platform_role.Updated, UPDATE"
    })
    void everyConsoleEventType(String type, Activity expected) {
        ObjectNode record = Fixtures.object("conduktor/console-connector-paused.json");
        record.put("type", type);

        AuditEvent event = mapper.map(record, CONTEXT);

        assertThat(event.action()).isEqualTo(type);
        assertThat(event.activity()).isEqualTo(expected);
    }

    @Test
    void mapsExportedTopicEvent() {
        JsonNode record = Fixtures.json("conduktor/kafka-topic-create.json");

        AuditEvent event = mapper.map(record, CONTEXT);

        assertThat(event.id()).isEqualTo("conduktor:ad85122c-0041-421e-b04b-6bc2ec901e08");
        assertThat(event.time()).isEqualTo("2024-10-10T07:52:07.483140Z");
        assertThat(event.received()).isEqualTo("2024-11-01T10:00:00.123456Z");
        assertThat(event.vendor()).isEqualTo("conduktor");
        assertThat(event.action()).isEqualTo("Kafka.Topic.Create");
        assertThat(event.activity()).isEqualTo(Activity.CREATE);
        assertThat(event.outcome()).isEqualTo(Outcome.UNKNOWN);
        assertThat(event.actor()).isEqualTo(new AuditEvent.Actor("alice@example.com", "alice@example.com", "user", null));
        assertThat(event.resource()).isEqualTo(new AuditEvent.Resource(
                "topic", "//kafka/kafkacluster/production/topic/website-orders", "website-orders", "production"));
        assertThat(event.org()).isEqualTo("default-org");
        assertThat(event.raw()).isSameAs(record);
    }

    @Test
    void oldTypeFormatGivesTheSameAction() {
        AuditEvent old = mapper.map(Fixtures.json("conduktor/old-type-topic-delete.json"), CONTEXT);

        assertThat(old.action()).isEqualTo("Kafka.Topic.Delete");
        assertThat(old.activity()).isEqualTo(Activity.DELETE);
        assertThat(old.resource().name()).isEqualTo("website-orders");
        assertThat(old.actor()).isEqualTo(new AuditEvent.Actor(null, null));
        assertThat(ConduktorMapper.action(null, "AuditLogEventType(Kafka,Topic,Create)"))
                .isEqualTo(ConduktorMapper.action("Kafka.Topic.Create", "ignored"));
        assertThat(ConduktorMapper.action(null, "AuditLogEventType(SelfService, ApplicationInstance, Update)"))
                .isEqualTo("SelfService.ApplicationInstance.Update");
    }

    @Test
    void mapsConsoleConnectorEvent() {
        AuditEvent event = mapper.map(Fixtures.json("conduktor/console-connector-paused.json"), CONTEXT);

        assertThat(event.time()).isEqualTo("2024-10-12T16:03:11.250000Z");
        assertThat(event.activity()).isEqualTo(Activity.DISABLE);
        assertThat(event.outcome()).isEqualTo(Outcome.SUCCESS);
        assertThat(event.actor()).isEqualTo(new AuditEvent.Actor("bob", "bob@example.com"));
        assertThat(event.resource()).isEqualTo(new AuditEvent.Resource("connector",
                "kafka:/cluster/8d2f1a3c-5b6e-4f70-9a81-b2c3d4e5f607/connect/connect-prod/orders-sink", "orders-sink",
                "8d2f1a3c-5b6e-4f70-9a81-b2c3d4e5f607"));
    }

    @Test
    void mapsSelfServiceApproval() {
        AuditEvent event = mapper.map(Fixtures.json("conduktor/console-application-approved.json"), CONTEXT);

        assertThat(event.activity()).isEqualTo(Activity.GRANT);
        assertThat(event.resource()).isEqualTo(
                new AuditEvent.Resource("application", "platform:/application/clickstream", "clickstream"));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "//kafka/kafkacluster/production/topic/website-orders, topic, website-orders, production",
        "kafka:/cluster/8d2f/topic/orders, topic, orders, 8d2f",
        "kafka:/cluster/8d2f/subject/orders-value, subject, orders-value, 8d2f",
        "kafka:/cluster/8d2f, cluster, 8d2f,",
        "kafka:/cluster/8d2f/group/billing-consumers, consumer_group, billing-consumers, 8d2f",
        "kafka:/cluster/8d2f/connect/connect-prod/orders-sink, connector, orders-sink, 8d2f",
        "platform:/datamasking/5b1c, datamasking_policy, 5b1c,",
        "platform:/application/clickstream, application, clickstream,",
        "platform:/group/7a9e, group, 7a9e,",
        "platform:/user/alice@example.com, user, alice@example.com,"
    })
    void resourceFromCrn(String crn, String type, String name, String parent) {
        ObjectNode record = Fixtures.object("conduktor/console-application-approved.json");
        record.put("source", crn);
        record.put("type", "AuditLogEventType(Kafka,Resource,Change)"); // an exported event: the CRN decides

        AuditEvent event = mapper.map(record, CONTEXT);

        assertThat(event.resource()).isEqualTo(new AuditEvent.Resource(type, crn, name, parent));
    }

    @Test
    void unknownCrnFallsBackToTheActionNoun() {
        assertThat(ConduktorMapper.resourceType("urn:something", "SelfService.ApplicationInstance.Create"))
                .isEqualTo("application_instance");
        assertThat(ConduktorMapper.resourceType(null, "Admin.KsqlDB.Delete")).isEqualTo("ksqldb");
        assertThat(ConduktorMapper.resourceType(null, "Kafka.Created")).isNull();
    }

    /** Each ResourceType of the doc's console list, its CRN as the doc writes it, and the family's events. */
    @ParameterizedTest(name = "{0} on {1} -> {2}")
    @CsvSource({
        "topic.Created, kafka:/cluster/8d2f/topic/orders, topic, orders",
        "topic.ProducedRecord, kafka:/cluster/8d2f/topic/orders, topic, orders",
        "subject.ChangedCompat, kafka:/cluster/8d2f/subject/orders-value, subject, orders-value",
        "registry.ChangedGlobalCompat, kafka:/cluster/8d2f, schema_registry, 8d2f",
        "consumergroup.Updated, kafka:/cluster/8d2f/group/billing, consumer_group, billing",
        "connector.RestartedTask, kafka:/cluster/8d2f/connect/connect-prod/orders-sink, connector, orders-sink",
        "policy.Upserted, platform:/datamasking/5b1c, datamasking_policy, 5b1c",
        "application.access-request.Rejected, platform:/application/clickstream, application, clickstream",
        "cluster.Updated, kafka:/cluster/8d2f, cluster, 8d2f",
        "group.member.Added, platform:/group/7a9e, group, 7a9e",
        "user.permission.Added, platform:/user/carol@example.com, user, carol@example.com",
        "user.platform_role.Updated, platform:/user/carol@example.com, user, carol@example.com",
        "user.Login, platform:/user/carol@example.com, user, carol@example.com"
    })
    void everyConsoleResourceType(String type, String crn, String kind, String name) {
        ObjectNode record = Fixtures.object("conduktor/console-application-approved.json");
        record.put("type", type);
        record.put("source", crn);

        AuditEvent event = mapper.map(record, CONTEXT);

        // the parent (the cluster of a CRN) is checked by the schema 2.0 tests
        assertThat(event.resource()).usingRecursiveComparison().ignoringFields("parent")
                .isEqualTo(new AuditEvent.Resource(kind, crn, name));
    }

    /** The exported event types of the doc, with a source CRN in the form of its example, or none. */
    @ParameterizedTest(name = "{0} -> {2}")
    @CsvSource({
        "Kafka.Topic.Create, //kafka/kafkacluster/production/topic/website-orders, topic",
        "Kafka.Subject.Update, //kafka/kafkacluster/production/subject/orders-value, subject",
        "Kafka.Connector.Delete, //kafka/kafkacluster/production/connect/connect-prod/orders-sink, connector",
        "Iam.User.Create, , user",
        "Iam.Group.Delete, , group",
        "SelfService.Application.Upsert, , application",
        "SelfService.ApplicationInstance.Update, , application_instance",
        "SelfService.ApplicationGroup.Create, , application_group",
        "SelfService.ApplicationPolicy.Delete, , application_policy",
        "SelfService.ApplicationInstancePermission.Create, , application_instance_permission",
        "Admin.KafkaConnect.Update, , kafka_connect",
        "Admin.KsqlDB.Create, , ksqldb",
        "Admin.KafkaCluster.Delete, , cluster"
    })
    void everyExportedResourceType(String eventType, String source, String kind) {
        ObjectNode record = Fixtures.object("conduktor/kafka-topic-create.json");
        ((ObjectNode) record.get("data")).put("eventType", eventType);
        if (source == null) {
            record.remove("source");
        } else {
            record.put("source", source);
        }

        assertThat(mapper.map(record, CONTEXT).resource().type()).isEqualTo(kind);
    }

    @Test
    void userLoginTakesTheUserFromTheCrnWhenThePayloadHasNone() {
        ObjectNode record = Fixtures.object("conduktor/console-application-approved.json");
        record.put("type", "user.Login");
        record.put("source", "platform:/user/carol@example.com");
        record.set("data", Json.MAPPER.createObjectNode());

        AuditEvent event = mapper.map(record, CONTEXT);

        assertThat(event.activity()).isEqualTo(Activity.LOGIN);
        assertThat(event.actor()).isEqualTo(new AuditEvent.Actor("carol@example.com", "carol@example.com", AuditEvent.Actor.USER, null));
        assertThat(event.resource()).isEqualTo(new AuditEvent.Resource("user", "platform:/user/carol@example.com", "carol@example.com"));
    }

    @Test
    void userLoginWithoutAUserCrnTakesTheCloudEventSubject() {
        ObjectNode record = Fixtures.object("conduktor/console-application-approved.json");
        record.put("type", "user.Login");
        record.put("source", "platform:/");
        record.put("subject", "dave@example.com");
        record.set("data", Json.MAPPER.createObjectNode());

        assertThat(mapper.map(record, CONTEXT).actor()).isEqualTo(new AuditEvent.Actor("dave@example.com", "dave@example.com", AuditEvent.Actor.USER, null));
    }

    @Test
    void thePayloadUserWinsOverTheCrnOfALogin() {
        ObjectNode record = Fixtures.object("conduktor/console-connector-paused.json");
        record.put("type", "user.Login");
        record.put("source", "platform:/user/bob@example.com");

        assertThat(mapper.map(record, CONTEXT).actor()).isEqualTo(new AuditEvent.Actor("bob", "bob@example.com"));
    }

    @Test
    void theCrnOfOtherUserEventsNamesTheUserActedOnNotTheActor() {
        ObjectNode record = Fixtures.object("conduktor/console-application-approved.json");
        record.put("type", "user.permission.Added");
        record.put("source", "platform:/user/carol@example.com");

        AuditEvent event = mapper.map(record, CONTEXT);

        assertThat(event.actor()).isEqualTo(new AuditEvent.Actor(null, null));
        assertThat(event.resource().name()).isEqualTo("carol@example.com");
    }

    @Test
    void theCloudEventsAuthContextExtensionNamesTheActor() {
        ObjectNode record = Fixtures.object("conduktor/old-type-topic-delete.json");
        record.put("authtype", "user");
        record.put("authid", "erin@example.com");

        assertThat(mapper.map(record, CONTEXT).actor()).isEqualTo(new AuditEvent.Actor("erin@example.com", "erin@example.com", AuditEvent.Actor.USER, null));

        record.put("authtype", "unauthenticated");
        assertThat(mapper.map(record, CONTEXT).actor()).isEqualTo(new AuditEvent.Actor(null, null));
    }

    @Test
    void theCloudEventSubjectNamesTheResourceWhenTheMetadataHasNoName() {
        ObjectNode record = Fixtures.object("conduktor/old-type-topic-delete.json");
        record.put("source", "//kafka/kafkacluster/production");
        record.put("subject", "website-orders");
        ((ObjectNode) record.get("data")).remove("metadata");

        assertThat(mapper.map(record, CONTEXT).resource().name()).isEqualTo("website-orders");
    }

    @ParameterizedTest
    @ValueSource(strings = {"id", "time", "type"})
    void missingRequiredFieldIsNamed(String field) {
        ObjectNode record = Fixtures.object("conduktor/old-type-topic-delete.json");
        record.remove(field);

        assertThatThrownBy(() -> mapper.map(record, CONTEXT))
                .isInstanceOfSatisfying(MappingException.class, e -> assertThat(e.field()).isEqualTo(field));
    }

    @Test
    void badTimeIsNamed() {
        ObjectNode record = Fixtures.object("conduktor/kafka-topic-create.json");
        record.put("time", "2024-10-10 07:52");

        assertThatThrownBy(() -> mapper.map(record, CONTEXT))
                .isInstanceOfSatisfying(MappingException.class, e -> assertThat(e.field()).isEqualTo("time"));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "{\"success\":false}                          | FAILURE",
        "{\"status\":\"failed\"}                        | FAILURE",
        "{\"statusCode\":403}                         | FAILURE",
        "{\"metadata\":{\"httpStatus\":\"201\"}}        | SUCCESS",
        "{\"metadata\":{\"result\":\"denied\"}}         | FAILURE",
        "{\"error\":\"topic already exists\"}           | FAILURE",
        "{\"error\":{\"code\":\"INVALID\"}}             | FAILURE",
        "{\"error\":{}}                               | UNKNOWN",
        "{\"metadata\":{\"name\":\"orders\"}}           | UNKNOWN"
    })
    void outcomeFromThePayloadWhereItHasOne(String data, Outcome expected) throws Exception {
        ObjectNode record = Fixtures.object("conduktor/kafka-topic-create.json");
        record.set("data", Json.MAPPER.readTree(data));

        assertThat(mapper.map(record, CONTEXT).outcome()).isEqualTo(expected);
    }

    @Test
    void traceSessionSourceAndActorKindFromThePayload() throws Exception {
        ObjectNode record = Fixtures.object("conduktor/kafka-topic-create.json");
        record.put("traceparent", "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01");
        record.set("data", Json.MAPPER.readTree("""
                {"eventType":"Kafka.Topic.Create","user":"ci-bot","principalType":"SERVICE_ACCOUNT",
                 "sessionId":"s-1","metadata":{"name":"website-orders","cluster":"production",
                 "ipAddress":"203.0.113.9","userAgent":"conduktor-cli/1.2"}}"""));

        AuditEvent event = mapper.map(record, CONTEXT);

        assertThat(event.trace().id()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
        assertThat(event.session().id()).isEqualTo("s-1");
        assertThat(event.actor()).isEqualTo(new AuditEvent.Actor("ci-bot", null, "service_account", null));
        assertThat(event.src().ip()).isEqualTo("203.0.113.9");
        assertThat(event.userAgent()).isEqualTo("conduktor-cli/1.2");
        assertThat(event.resource().parent()).isEqualTo("production");
        assertThat(ConduktorMapper.traceId("not-a-traceparent")).isNull();
    }
}
